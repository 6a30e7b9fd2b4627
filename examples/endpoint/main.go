// Endpoint: an HTTP endpoint that streams every update of a Cache as
// server-sent events.
//
// One app runs two handlers. The first writes the time into a Cache at
// every tick: the Cache is its sink. The second reads the Cache's change
// feed, every write made through the Cache: the Cache is its source. It
// turns each update into an event for a broadcaster, its sink, which passes
// the event on to every client connected to GET /events.
//
// By default the program reads three events with a client of its own, then
// stops. To watch it with curl instead:
//
//	go run ./examples/endpoint -addr 127.0.0.1:8080 -n 0 &
//	curl -N http://127.0.0.1:8080/events
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// serve writes the time into a Cache every interval, and streams the
// Cache's updates to the clients of GET /events on ln, until ctx is done.
func serve(ctx context.Context, ln net.Listener, every time.Duration) error {
	cache := kv.NewMemory(codec.StringKey(), codec.Time())
	defer cache.Close()
	clients := newBroadcaster()

	app := stream.NewApp()
	stream.Handle(app, source.Ticker(every), stream.Func(func(t time.Time) kv.Entry[string, time.Time] {
		return kv.NewEntry("time", t)
	}), cache)
	stream.Handle(app, cache, stream.FuncErr(toEvent), clients)

	mux := http.NewServeMux()
	mux.Handle("GET /events", clients)
	server := &http.Server{Handler: mux}
	served := make(chan error, 1)
	go func() { served <- server.Serve(ln) }()

	err := app.Run(ctx)
	clients.close() // ends every client's stream
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(err, server.Shutdown(shutdown))
	if err2 := <-served; !errors.Is(err2, http.ErrServerClosed) {
		err = errors.Join(err, err2)
	}
	return err
}

// toEvent formats a Cache update as a server-sent event.
func toEvent(_ context.Context, e kv.Entry[string, time.Time]) (string, error) {
	data, err := json.Marshal(map[string]any{"key": e.Key, "value": e.Value})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("event: update\ndata: %s\n\n", data), nil
}

// A broadcaster is a sink that passes each event on to every client
// connected to it, and an http.Handler that clients connect to. A client
// that falls behind by more than 16 events is disconnected.
type broadcaster struct {
	mu      sync.Mutex
	clients map[chan string]bool // nil once closed
}

func newBroadcaster() *broadcaster {
	return &broadcaster{clients: map[chan string]bool{}}
}

// Send passes event on to every client.
func (b *broadcaster) Send(_ context.Context, event string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.clients {
		select {
		case ch <- event:
		default: // too slow: let it go
			delete(b.clients, ch)
			close(ch)
		}
	}
	return nil
}

// ServeHTTP streams the events to one client until it goes away, or until
// the broadcaster closes or drops it.
func (b *broadcaster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	events := b.subscribe()
	defer b.unsubscribe(events)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for {
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case event, ok := <-events:
			if !ok {
				return
			}
			if _, err := io.WriteString(w, event); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

func (b *broadcaster) subscribe() chan string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan string, 16)
	if b.clients == nil {
		close(ch)
	} else {
		b.clients[ch] = true
	}
	return ch
}

func (b *broadcaster) unsubscribe(ch chan string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.clients[ch] {
		delete(b.clients, ch)
		close(ch)
	}
}

// close disconnects every client, and any that connects later.
func (b *broadcaster) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.clients {
		close(ch)
	}
	b.clients = nil
}

// watch prints the data of the first n events of the stream at url.
func watch(ctx context.Context, w io.Writer, url string, n int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for got := 0; got < n; {
		if !lines.Scan() {
			return fmt.Errorf("the stream ended after %d events: %v", got, lines.Err())
		}
		if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			fmt.Fprintln(w, "client got", data)
			got++
		}
	}
	return nil
}

// run serves on addr; if n > 0, it reads n events with a client of its own
// and stops, or else it serves until ctx is done.
func run(ctx context.Context, w io.Writer, addr string, every time.Duration, n int) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s/events", ln.Addr())
	fmt.Fprintln(w, "serving cache updates at", url)

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, every) }()
	if n > 0 {
		err = watch(ctx, w, url, n)
		stop()
	}
	return errors.Join(err, <-served)
}

var (
	addr  = flag.String("addr", "127.0.0.1:0", "the address to serve on")
	every = flag.Duration("every", time.Second, "how often to write the time into the cache")
	n     = flag.Int("n", 3, "how many events to read before stopping; 0 serves until Ctrl-C")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, *addr, *every, *n); err != nil {
		log.Fatal(err)
	}
}
