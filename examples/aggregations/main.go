// Aggregations: a sliding window over event times, with package window.
//
// The window operator keeps, for each event time, the counts of the emoji
// seen then, in a Cache, and after each event sends the counts of the
// window ending at it: the events at times t with end-3s <= t <= end, both
// ends included, as in the original's cookbook (so at 3.5 the window still
// holds 📞 from 0.5). The events here all count under one key; with a key
// per user, say, each user would have windows of their own. Windows that
// no later event can reach are deleted, so the state stays small.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// An Event is an emoji seen at a time.
type Event struct {
	Time  time.Time
	Emoji string
}

// start is the time of the first event.
var start = time.Date(2024, time.June, 1, 12, 0, 0, 0, time.UTC)

// at returns the time s seconds after start.
func at(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }

// counts counts the emoji of a window.
var counts = window.Aggregate[Event, map[string]int]{
	Init: map[string]int{},
	Fold: func(n map[string]int, e Event) map[string]int {
		n[e.Emoji]++ // each window's accumulator is its own: Fold may change it
		return n
	},
	Merge: func(a, b map[string]int) map[string]int {
		for emoji, n := range b {
			a[emoji] += n
		}
		return a
	},
	Codec: codec.JSON[map[string]int](),
}

// events is the input: all under one key, at their event times.
var events = window.Input[Event, string]{
	Key:  func(Event) string { return "all" },
	Keys: codec.StringKey(),
	Time: func(e Event) time.Time { return e.Time },
}

func run(ctx context.Context, w io.Writer, path string) error {
	emoji := source.Values(
		Event{at(0.0), "🏆"}, Event{at(0.5), "📞"}, Event{at(1.0), "🐟"}, Event{at(2.0), "👌"},
		Event{at(3.5), "🏆"}, Event{at(4.0), "📞"}, Event{at(5.0), "🐟"}, Event{at(5.5), "👌"},
	)

	// A RocksDB Cache; kv.NewMemory(codec.Bytes(), codec.Bytes()) keeps
	// it in memory instead.
	cache, err := kv.Open(path, codec.Bytes(), codec.Bytes(), nil)
	if err != nil {
		return err
	}
	defer cache.Close()

	sliding, err := window.New(window.Sliding(3*time.Second), events, counts, window.InCache(cache), nil)
	if err != nil {
		return err
	}
	app := stream.NewApp()
	window.Handle(app, emoji, sliding, sink.Func(func(_ context.Context, r window.Result[string, map[string]int]) error {
		_, err := fmt.Fprintf(w, "Sliding window ending at %.1f: %v\n", r.End.Sub(start).Seconds(), r.Value)
		return err
	}))
	return app.Run(ctx)
}

func main() {
	dir, err := os.MkdirTemp("", "slipstream-aggregations-")
	if err != nil {
		log.Fatal(err)
	}
	err = run(context.Background(), os.Stdout, filepath.Join(dir, "windows"))
	os.RemoveAll(dir)
	if err != nil {
		log.Fatal(err)
	}
}
