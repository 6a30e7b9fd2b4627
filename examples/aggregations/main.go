// Aggregations: a sliding window over event times, with its state kept in a
// Cache.
//
// Each event is stored in the Cache under its event time; codec.Time keeps
// the keys in time order. After each event, the handler counts the events
// of the window ending at it: those at times t with end-3s < t <= end. The
// start is excluded, so that the window is 3 s long and an event leaves it
// exactly 3 s after it happened. The handler reads the window by iterating
// the Cache forward from its start, then deletes the events that no later
// window will need, so that the state stays small.
//
// The events come in time order here, at most one per instant (a second
// event at the same time would replace the first; key by time and an ID if
// that can happen).
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
)

const window = 3 * time.Second

// An Event is an emoji seen at a time.
type Event struct {
	Time  time.Time
	Emoji string
}

// start is the time of the first event.
var start = time.Date(2024, time.June, 1, 12, 0, 0, 0, time.UTC)

// at returns the time s seconds after start.
func at(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }

func run(ctx context.Context, w io.Writer, path string) error {
	events := source.Values(
		Event{at(0.0), "🏆"}, Event{at(0.5), "📞"}, Event{at(1.0), "🐟"}, Event{at(2.0), "👌"},
		Event{at(3.5), "🏆"}, Event{at(4.0), "📞"}, Event{at(5.0), "🐟"}, Event{at(5.5), "👌"},
	)

	// A RocksDB Cache; kv.NewMemory(...) keeps it in memory instead.
	byTime, err := kv.Open(path, codec.Time(), codec.String(), nil)
	if err != nil {
		return err
	}
	defer byTime.Close()

	slide := func(_ context.Context, e Event) (string, error) {
		if err := byTime.Set(e.Time, e.Emoji); err != nil {
			return "", err
		}
		from, end := e.Time.Add(-window), e.Time
		counts := map[string]int{}
		inWindow := byTime.Iter().From(from) // the first key >= from
		for t, emoji := range inWindow.Items() {
			if t.After(end) {
				break
			}
			if t.After(from) {
				counts[emoji]++
			}
		}
		if err := inWindow.Err(); err != nil {
			return "", err
		}
		// Later windows start after from: what is before it is of no use.
		if err := byTime.DeleteRange(time.Time{}, from); err != nil {
			return "", err
		}
		return fmt.Sprintf("Sliding window ending at %.1f: %v", end.Sub(start).Seconds(), counts), nil
	}

	app := stream.NewApp()
	stream.Handle(app, events, stream.FuncErr(slide), sink.Writer[string](w))
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
