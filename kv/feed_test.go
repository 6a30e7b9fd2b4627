package kv

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// collector is a sink that keeps entries and reports each on a channel.
type collector[T any] struct {
	mu    sync.Mutex
	items []T
	each  chan T // if not nil, receives every item
}

func (c *collector[T]) Send(_ context.Context, v T) error {
	c.mu.Lock()
	c.items = append(c.items, v)
	c.mu.Unlock()
	if c.each != nil {
		c.each <- v
	}
	return nil
}

func (c *collector[T]) got() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.items)
}

func identity[T any](v T) T { return v }

// TestCacheAsSinkAndSource binds a handler that writes entries to the
// cache, and one that reads the cache's change feed: the reader sees every
// write, in order, and the app ends once the writer has.
func TestCacheAsSinkAndSource(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.StringKey(), codec.Int[int]())
		var written []Entry[string, int]
		for i := range 500 {
			written = append(written, NewEntry("k"+string(rune('a'+i%7)), i))
		}
		written = append(written, Entry[string, int]{Key: "kb", Deleted: true})

		app := stream.NewApp()
		seen := &collector[Entry[string, int]]{}
		stream.Handle(app, c, stream.Func(identity[Entry[string, int]]), seen)
		stream.Handle(app, source.Slice(written), stream.Func(identity[Entry[string, int]]), c)
		must(t, app.Run(context.Background()))

		if got := seen.got(); !slices.Equal(got, written) {
			t.Errorf("the feed saw %d entries, want the %d written, in order", len(got), len(written))
		}
		want := map[string]int{}
		for _, e := range written {
			if e.Deleted {
				delete(want, e.Key)
			} else {
				want[e.Key] = e.Value
			}
		}
		got := map[string]int{}
		for k, v := range c.Iter().Items() {
			got[k] = v
		}
		if len(got) != len(want) {
			t.Errorf("cache holds %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("cache[%s] = %d, want %d", k, got[k], v)
			}
		}
	})
}

// TestFeedSeesDirectWrites: writes made with Set, Delete and batches while
// the app runs reach the feed, and those still buffered when the app stops
// are handed on.
func TestFeedSeesDirectWrites(t *testing.T) {
	c := stringCache(store.NewMemory())
	must(t, c.Set("before", "not seen"))
	app := stream.NewApp()
	seen := &collector[Entry[string, string]]{}
	stream.Handle(app, c, stream.Func(identity[Entry[string, string]]), seen)
	if c.feed.subs.Load() != nil {
		t.Fatal("subscribed before Run") // Handle leaves it to Run
	}
	subscribed := subscriptions(c)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- app.Run(ctx) }()
	<-subscribed
	must(t, c.Set("a", "1"))
	must(t, c.Delete("a"))
	b := c.Batch()
	b.Set("b", "2")
	b.Set("c", "3")
	must(t, b.Commit())
	must(t, c.DeleteRange("a", "z")) // not reported
	cancel()
	must(t, <-done)

	want := []Entry[string, string]{
		NewEntry("a", "1"),
		{Key: "a", Deleted: true},
		NewEntry("b", "2"),
		NewEntry("c", "3"),
	}
	if got := seen.got(); !slices.Equal(got, want) {
		t.Errorf("feed = %v, want %v", got, want)
	}
}

// subscriptions returns a channel that receives a value each time a reader
// subscribes to the feed of c.
func subscriptions[K, V any](c *Cache[K, V]) <-chan struct{} {
	ch := make(chan struct{}, 8)
	c.feed.mu.Lock()
	c.feed.onSubscribe = func() { ch <- struct{}{} }
	c.feed.mu.Unlock()
	return ch
}

// TestFeedIsBounded: a reader that does not read holds 64 writes; the next
// writer waits, until its context ends. When the reader stops, it hands on
// what it holds.
func TestFeedIsBounded(t *testing.T) {
	c := stringCache(store.NewMemory())
	sub := c.Subscribe()
	for i := range feedBuffer {
		must(t, c.Set("k", strings.Repeat("x", i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Send(ctx, NewEntry("k", "one too many"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send to a cache with a full reader = %v, want the context's error", err)
	}
	if got, _ := c.Get("k"); got.OrEmpty() != "one too many" {
		t.Errorf("the write itself is stored all the same: %q", got.OrEmpty())
	}

	// Reading the subscription with a done context hands on what it holds.
	got, err := stream.Collect(ctx, sub)
	if len(got) != feedBuffer {
		t.Errorf("the stopped reader handed on %d entries, want %d (%v)", len(got), feedBuffer, err)
	}
	if c.feed.subs.Load() != nil {
		t.Error("the reader is still subscribed after it stopped")
	}
	must(t, c.Set("k", "nobody listens")) // does not wait
}

// TestReplay: a Replay reader gets the contents, in key order, then the
// writes made afterwards.
func TestReplay(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		set(t, c, map[string]string{"b": "2", "a": "1"})
		app := stream.NewApp()
		seen := &collector[Entry[string, string]]{each: make(chan Entry[string, string], 10)}
		stream.Handle(app, c.Replay(), stream.Func(identity[Entry[string, string]]), seen)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- app.Run(ctx) }()
		<-seen.each
		<-seen.each // the contents are out: what follows is a change
		must(t, c.Set("c", "3"))
		<-seen.each
		cancel()
		must(t, <-done)
		want := []Entry[string, string]{NewEntry("a", "1"), NewEntry("b", "2"), NewEntry("c", "3")}
		if got := seen.got(); !slices.Equal(got, want) {
			t.Errorf("replay = %v, want %v", got, want)
		}
	})
}

func TestReplayFailsOnUndecodableValue(t *testing.T) {
	s := store.NewMemory()
	c := New(s, codec.StringKey(), codec.Int[int]())
	must(t, s.Put([]byte("bad"), []byte("xx")))
	app := stream.NewApp()
	stream.Handle(app, c.Replay(), stream.Func(identity[Entry[string, int]]), &collector[Entry[string, int]]{})
	err := app.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "key bad") {
		t.Errorf("Run = %v; want an error naming the key", err)
	}
}

// TestCloseEndsFeed: closing the cache ends its readers, and the app with
// them.
func TestCloseEndsFeed(t *testing.T) {
	c := stringCache(store.NewMemory())
	app := stream.NewApp()
	seen := &collector[Entry[string, string]]{each: make(chan Entry[string, string], 1)}
	stream.Handle(app, c, stream.Func(identity[Entry[string, string]]), seen)
	subscribed := subscriptions(c)
	done := make(chan error)
	go func() { done <- app.Run(context.Background()) }()
	<-subscribed
	must(t, c.Set("a", "1"))
	<-seen.each
	must(t, c.Close())
	must(t, <-done)
}
