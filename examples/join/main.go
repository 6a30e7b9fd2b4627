// Join: a temporal join of two streams through a Cache.
//
// Weather updates are cached by their event time. Each activity is then
// joined with the weather at its time: the latest update at or before it,
// found by iterating the cache backwards from the activity's time. Time
// keys sort in time order, thanks to the order-preserving codec.Time.
//
// Here the weather is cached first, then the activities stream in. With
// two live streams read at once (two Kafka topics), the weather stream
// must stay ahead of the activities for the join to see the right weather:
// the Checkpoint feature pauses a stream while the one it depends on is
// behind.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// A Weather is a weather update at a time.
type Weather struct {
	Time  time.Time
	Emoji string
}

// An Activity is something someone did at a time.
type Activity struct {
	Time time.Time
	Name string
}

// at returns the time hh:mm on the day of the example.
func at(hh, mm int) time.Time {
	return time.Date(2024, time.June, 1, hh, mm, 0, 0, time.UTC)
}

func main() {
	dir, err := os.MkdirTemp("", "slipstream-join-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, path string) error {
	weather := source.Values(
		Weather{at(10, 0), "🌞"},
		Weather{at(11, 0), "⛅"},
		Weather{at(12, 0), "🌦️"},
		Weather{at(13, 0), "🌧"},
	)
	activities := source.Values(
		Activity{at(10, 30), "swimming"},
		Activity{at(11, 30), "walking home"},
		Activity{at(12, 30), "shopping"},
		Activity{at(13, 10), "lunch"},
	)

	byTime, err := kv.Open(path, codec.Time(), codec.String(), nil)
	if err != nil {
		return err
	}
	defer byTime.Close()

	// Cache the weather by event time: the Cache is the handler's sink.
	app := stream.NewApp()
	stream.Handle(app, weather, stream.Func(func(w Weather) kv.Entry[time.Time, string] {
		return kv.NewEntry(w.Time, w.Emoji)
	}), byTime)
	if err := app.Run(ctx); err != nil {
		return err
	}

	// Join each activity with the nearest earlier weather.
	join := func(ctx context.Context, a Activity, emit func(string)) error {
		w, err := byTime.Iter().From(a.Time).Reverse().First()
		if err != nil {
			return err
		}
		if w, ok := w.Get(); ok {
			emit(fmt.Sprintf("The weather during %s was %s", a.Name, w.Value))
		}
		return nil
	}
	app = stream.NewApp()
	stream.Handle(app, activities, stream.YieldErr(join), sink.Print[string]())
	return app.Run(ctx)
}
