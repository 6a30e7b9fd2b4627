package stream_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// TestReadyProxyFedFromOutside sends to a proxy from outside its app as
// soon as the app is Ready: every reader gets every message, in order.
func TestReadyProxyFedFromOutside(t *testing.T) {
	const n = 1000
	proxy := stream.NewProxy[int]()
	a, b := sink.Collect[int](), sink.Collect[int]()
	app := stream.NewApp()
	stream.Handle(app, proxy, stream.Func(func(n int) int { return n }), a)
	stream.Handle(app, stream.Async(proxy), stream.Func(func(n int) int { return -n }), b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	select {
	case <-app.Ready():
	case err := <-ran:
		t.Fatalf("Run returned %v before the app was ready", err)
	}
	for i := range n {
		if err := proxy.Send(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	for a.Len() < n || b.Len() < n {
		if ctx.Err() != nil {
			t.Fatalf("readers got %d and %d of %d messages", a.Len(), b.Len(), n)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	want, negated := ints(n), ints(n)
	for i := range negated {
		negated[i] = -negated[i]
	}
	if !slices.Equal(a.Items(), want) || !slices.Equal(b.Items(), negated) {
		t.Fatalf("reader a got %d messages, b %d, want all %d in order", a.Len(), b.Len(), n)
	}
}

// TestReadyNotClosedWithoutStart checks that Ready stays open when Run
// fails before it starts the app, and that it is closed by an app that
// started, even once it has ended.
func TestReadyNotClosedWithoutStart(t *testing.T) {
	app := stream.NewApp()
	branches := stream.Tee(source.Values(1, 2), 2)
	stream.Handle(app, branches[0], stream.Do(func(int) {})) // branch 1 is read by nothing
	if err := app.Run(context.Background()); err == nil {
		t.Fatal("Run with an unread branch returned nil")
	}
	select {
	case <-app.Ready():
		t.Fatal("Ready is closed, yet the app never started")
	default:
	}

	app = stream.NewApp()
	stream.Handle(app, source.Values(1), stream.Do(func(int) {}))
	run(t, app)
	select {
	case <-app.Ready():
	default:
		t.Fatal("Ready is open after a run")
	}
}
