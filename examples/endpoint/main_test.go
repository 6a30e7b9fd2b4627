package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A plain HTTP client reads three events from the endpoint, each a Cache
// update with a later time than the one before.
func TestEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, 10*time.Millisecond) }()

	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + ln.Addr().String() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("got %s, Content-Type %q", resp.Status, ct)
	}

	lines := bufio.NewScanner(resp.Body)
	next := func() string {
		if !lines.Scan() {
			t.Fatalf("the stream ended: %v", lines.Err())
		}
		return lines.Text()
	}
	var last time.Time
	for range 3 {
		if line := next(); line != "event: update" {
			t.Fatalf("got %q, want the event type", line)
		}
		data, ok := strings.CutPrefix(next(), "data: ")
		if !ok {
			t.Fatalf("got no data")
		}
		var update struct {
			Key   string
			Value time.Time
		}
		if err := json.Unmarshal([]byte(data), &update); err != nil {
			t.Fatal(err)
		}
		if update.Key != "time" || !update.Value.After(last) {
			t.Errorf("got update %+v after time %v", update, last)
		}
		last = update.Value
		if line := next(); line != "" {
			t.Fatalf("got %q, want a blank line to end the event", line)
		}
	}

	cancel() // the server stops, and ends the stream
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // events sent meanwhile
	}
	if err := lines.Err(); err != nil {
		t.Errorf("the stream did not end cleanly: %v", err)
	}
}

// The program reads three events with its own client, then stops.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "127.0.0.1:0", 10*time.Millisecond, 3); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "serving cache updates at http://127.0.0.1:") {
		t.Fatalf("got:\n%s", &out)
	}
	for _, line := range lines[1:] {
		if !strings.HasPrefix(line, `client got {"key":"time","value":"`) {
			t.Errorf("got %q", line)
		}
	}
}
