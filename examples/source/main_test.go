package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/stream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// enwiki: edit "Alan Turing" by Alice
	// wikidatawiki: new "Q123456" by Bob
	// frwiki: edit "Rivière" by Chloé
}

// With no limit, the source ends when the server ends the stream.
func TestWholeStream(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "", 0); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "\n"); got != len(sample) {
		t.Errorf("got %d lines, want %d:\n%s", got, len(sample), &out)
	}
}

// The reader follows the format: comments, default event type, data on
// several lines, a last event with no blank line after it (dropped).
func TestFormat(t *testing.T) {
	body := ": a comment\n\nid: 7\ndata: one\ndata:two\n\nevent: ping\ndata: x\n\n\n\ndata: unfinished\n"
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != "text/event-stream" {
			t.Errorf("Accept: %q", r.Header.Get("Accept"))
		}
		w.Write([]byte(body))
	}))
	defer server.Close()
	got, err := stream.Collect(context.Background(), SSE{URL: server.URL})
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{ID: "7", Type: "message", Data: "one\ntwo"}, {Type: "ping", Data: "x"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// A server that answers with an error fails the app, and the error says
// which URL.
func TestNotFound(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	defer server.Close()
	err := run(context.Background(), new(bytes.Buffer), server.URL, 0)
	if want := "SSE " + server.URL + ": 404 Not Found"; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

// Bad JSON in an event fails the handler.
func TestBadData(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("id: 9\ndata: {oops\n\n"))
	}))
	defer server.Close()
	err := run(context.Background(), new(bytes.Buffer), server.URL, 0)
	if err == nil || !strings.Contains(err.Error(), "describe: event 9: invalid character") {
		t.Errorf("got error %v", err)
	}
}

// On an endless stream, cancelling the app's context stops the source: the
// app drains and ends without error.
func TestCancel(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; r.Context().Err() == nil; i++ {
			fmt.Fprintf(w, "id: %d\ndata: {\"type\":\"edit\"}\n\n", i)
			http.NewResponseController(w).Flush()
		}
	}))
	defer server.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelAfter{n: 5, cancel: cancel}
	if err := run(ctx, w, server.URL, 0); err != nil {
		t.Fatal(err)
	}
	if w.lines < 5 {
		t.Errorf("got %d lines, want at least 5", w.lines)
	}
}

// cancelAfter counts the lines written to it, and cancels once it has n.
type cancelAfter struct {
	n, lines int
	cancel   func()
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	if w.lines++; w.lines == w.n {
		w.cancel()
	}
	return len(p), nil
}
