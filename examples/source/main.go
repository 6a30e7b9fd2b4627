// Source: a source of your own, reading server-sent events from an HTTP URL.
//
// A source is anything with a Feed method that writes items to a
// stream.Writer. SSE reads a text/event-stream response and writes each
// event as it comes, with Writer.Write (a source that has many items ready
// at once would use Writer.Add and Writer.Flush). It stops when the server
// ends the stream, or when the app stops; stream.Take ends it after n
// events.
//
// By default the program serves a few Wikipedia-like recent changes to
// itself, on 127.0.0.1. Point it at the real stream (it needs the internet):
//
//	go run ./examples/source -url https://stream.wikimedia.org/v2/stream/recentchange -n 10
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/stream"
)

// An Event is one server-sent event.
type Event struct {
	ID   string // the "id" field
	Type string // the "event" field; "message" if it has none
	Data string // the "data" fields, joined by newlines
}

// SSE is a source of the server-sent events at URL.
type SSE struct {
	URL    string
	Client *http.Client // nil means http.DefaultClient
}

// Feed reads the events and writes them to w as they come.
func (s SSE) Feed(ctx context.Context, w *stream.Writer[Event]) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return fmt.Errorf("SSE: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("User-Agent", "slipstream-go-example/1.0")
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return s.fail(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("SSE %s: %s", s.URL, resp.Status)
	}

	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(nil, 1<<20) // events may be longer than bufio's default 64 KiB
	var e Event
	var data []string
	for lines.Scan() {
		field, value, _ := strings.Cut(lines.Text(), ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "": // a blank line ends an event; ":..." is a comment
			if lines.Text() != "" || data == nil {
				continue
			}
			if e.Type == "" {
				e.Type = "message"
			}
			e.Data = strings.Join(data, "\n")
			if err := w.Write(ctx, e); err != nil {
				return err
			}
			e, data = Event{}, nil
		case "event":
			e.Type = value
		case "data":
			data = append(data, value)
		case "id":
			e.ID = value
		}
	}
	if err := lines.Err(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// fail returns the error that ends Feed: ctx's own if the app is stopping.
func (s SSE) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("SSE %s: %w", s.URL, err)
}

// String names the source in the app's messages.
func (s SSE) String() string { return "SSE " + s.URL }

// A Change is the part of a Wikipedia recent change that this program prints.
type Change struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	User  string `json:"user"`
	Wiki  string `json:"wiki"`
}

func describe(_ context.Context, e Event) (string, error) {
	var c Change
	if err := json.Unmarshal([]byte(e.Data), &c); err != nil {
		return "", fmt.Errorf("event %s: %w", e.ID, err)
	}
	return fmt.Sprintf("%s: %s %q by %s", c.Wiki, c.Type, c.Title, c.User), nil
}

// run prints the first n events at url (all of them if n is 0); if url is
// empty, from the sample, which it serves itself.
func run(ctx context.Context, w io.Writer, url string, n int) error {
	if url == "" {
		server := httptest.NewServer(http.HandlerFunc(serveSample))
		defer server.Close()
		url = server.URL
	}
	var events stream.Source[Event] = SSE{URL: url}
	if n > 0 {
		events = stream.Take(events, n)
	}
	app := stream.NewApp()
	stream.Handle(app, events, stream.FuncErr(describe), sink.Writer[string](w))
	return app.Run(ctx)
}

// sample is the stream this program serves itself.
var sample = []Change{
	{"edit", "Alan Turing", "Alice", "enwiki"},
	{"new", "Q123456", "Bob", "wikidatawiki"},
	{"edit", "Rivière", "Chloé", "frwiki"},
	{"log", "User:Dmitri", "Dmitri", "enwiki"},
	{"edit", "Tokyo", "Emi", "jawiki"},
}

// serveSample writes the sample as server-sent events, as Wikimedia's
// EventStreams does, then ends the stream.
func serveSample(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprint(w, ":ok\n\n")
	for i, c := range sample {
		data, _ := json.Marshal(c)
		if _, err := fmt.Fprintf(w, "event: message\nid: %d\ndata: %s\n\n", i+1, data); err != nil {
			return // the client has gone
		}
		http.NewResponseController(w).Flush()
	}
}

var (
	urlFlag = flag.String("url", "", "the URL of an event stream; by default, a sample served locally")
	nFlag   = flag.Int("n", 3, "how many events to read; 0 reads until the stream ends")
)

func main() {
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *urlFlag, *nFlag); err != nil {
		log.Fatal(err)
	}
}
