// Synchronization: enrich activities with the weather at their time, pause
// them while the weather stream is down, and enrich again, correctly, what
// was enriched with stale weather.
//
// Weather updates (the dependency) are stored in a Cache by event time.
// Activities (the dependent) are read from a Kafka topic, and each is
// joined with the latest weather at or before its time: a temporal join.
// A Checkpoint watches both streams: each weather update goes to a
// HeartbeatSink, which stores it and only then sends a heartbeat with its
// time, and the activity handler sends a pulse with each activity's time
// and offset. Stored first, the update that ends a downtime is there for
// the activities that the heartbeat lets through.
//
// After its second update, at 11:00, the weather stream stops for a few
// seconds. The activity at 12:30 is then enriched with the 11:00 weather:
// stale by an hour and a half, more than the threshold of an hour. The
// checkpoint reports the downtime and pauses the activity topic; the
// activity that arrives meanwhile waits. When the weather comes back, its
// 12:00 update is still behind the activities; its 13:00 update catches up.
// The checkpoint then seeks the activity topic back to the offset stored
// when the weather went down, and resumes it: the 12:30 activity is
// enriched again, now with the 12:00 weather.
//
// It uses the Kafka cluster at $KAFKA_BOOTSTRAP, or else starts a broker
// in-process, and keeps its state in a temporary directory, so it runs with
// no setup.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/kv"
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
	Time time.Time `json:"timestamp"`
	Name string    `json:"value"`
}

// at returns the time hh:mm on the day of the example.
func at(hh, mm int) time.Time {
	return time.Date(2023, time.January, 1, hh, mm, 0, 0, time.UTC)
}

func main() {
	dir, err := os.MkdirTemp("", "slipstream-synchronization-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(context.Background(), os.Stdout, dir, 3*time.Second); err != nil {
		log.Fatal(err)
	}
}

// run runs the example, with the weather down for outage, and state in
// dir.
func run(ctx context.Context, out io.Writer, dir string, outage time.Duration) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &syncWriter{w: out}

	// A new topic and group on a shared cluster, so that each run starts
	// afresh; the embedded one is new anyway.
	name := "activity"
	if os.Getenv(kafkatest.EnvBootstrap) != "" {
		name = fmt.Sprintf("activity-%d", time.Now().UnixNano())
	}
	addr, stopBroker, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic(name, 1))
	if err != nil {
		return err
	}
	defer stopBroker()
	activityTopic, err := kafka.NewTopic[string, Activity](name, kafka.ConfigMap{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
		"group.id":              name + "-enricher",
		"auto.offset.reset":     "earliest",
	}, kafka.WithValueCodec(codec.JSON[Activity]()))
	if err != nil {
		return err
	}

	// The weather by time, and the checkpoint, in caches of their own,
	// which keep every key (a checkpoint's cache must; see
	// ckpt.Options.Cache).
	weatherByTime, err := kv.Open(filepath.Join(dir, "weather"), codec.Time(), codec.String(), nil)
	if err != nil {
		return err
	}
	defer weatherByTime.Close()
	checkpoints, err := kv.Open(filepath.Join(dir, "checkpoints"), codec.StringKey(), codec.Bytes(), nil)
	if err != nil {
		return err
	}
	defer checkpoints.Close()

	// The checkpoint pauses the very stream the activity handler reads.
	activities := stream.From(activityTopic)
	weatherUpdates := make(chan Weather)
	c, err := ckpt.New("activity", activities,
		[]*ckpt.TimeDependency{ckpt.NewDependency("weather", ckpt.WithThreshold(time.Hour))},
		&ckpt.TimeOptions{
			Cache: checkpoints,
			OnRecovery: func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
				marker, _ := d.Marker()
				offsets := d.DownState().Offsets()
				fmt.Fprintf(w, "The weather caught up at %s: seeking the activities back to %v\n", marker.Format("15:04"), offsets)
				return activityTopic.Seek(ctx, kafka.PerPartition(offsets))
			},
			// The checkpoint's own log lines would repeat what this prints.
			Logger: discardLogger(),
		})
	if err != nil {
		return err
	}

	var handled atomic.Int32 // activities handled, for the story below
	app := stream.NewApp(stream.WithLogger(discardLogger()))

	// The weather: stored by time, and only then reported to the
	// checkpoint, so that the activities it lets through find it.
	stream.Handle(app, source.Chan(weatherUpdates), stream.Func(func(u Weather) kv.Entry[time.Time, string] {
		fmt.Fprintf(w, "weather %s %s\n", u.Time.Format("15:04"), u.Emoji)
		return kv.NewEntry(u.Time, u.Emoji)
	}), ckpt.NewHeartbeatSink(c, weatherByTime, entryTime).OnHeartbeat(
		func(_ context.Context, _ kv.Entry[time.Time, string], latency ckpt.Latency[time.Time]) error {
			if latency.IsLate {
				fmt.Fprintf(w, "    still behind the activities, at %s\n", latency.DependentMarker.Format("15:04"))
			}
			return nil
		}))

	// The activities: joined with the weather at their time, then reported
	// with their offset, so that they can be handled again.
	stream.Handle(app, activities, stream.DoErr(func(ctx context.Context, m kafka.Message[string, Activity]) error {
		defer handled.Add(1)
		weather, err := weatherByTime.Iter().From(m.Value.Time).Reverse().First()
		if err != nil {
			return err
		}
		emoji := "?"
		if e, ok := weather.Get(); ok {
			emoji = e.Value
		}
		fmt.Fprintf(w, "activity %s %s: %s\n", m.Value.Time.Format("15:04"), m.Value.Name, emoji)
		downtime, down, err := c.CheckPulse(ctx, m.Value.Time, ckpt.PartitionOffset(m.Partition, m.Offset))
		if down {
			fmt.Fprintf(w, "    Downtime detected: %v; pausing the activities\n", downtime)
		}
		return err
	}))

	// The world outside the app: weather updates and activities, each
	// sent once the app has handled the one before, so that the story
	// unfolds the same way on every run.
	story := func() error {
		defer close(weatherUpdates)
		weather := func(u Weather) error {
			select {
			case weatherUpdates <- u:
			case <-ctx.Done():
				return ctx.Err()
			}
			return until(ctx, func() bool { m, _ := c.Dependency("weather").Marker(); return m.Equal(u.Time) })
		}
		activity := func(a Activity) error {
			return activityTopic.Produce(ctx, "", a)
		}
		handledAt := func(t time.Time) error {
			return until(ctx, func() bool { m, _ := c.Marker(); return m.Equal(t) })
		}
		steps := []func() error{
			func() error { return weather(Weather{at(10, 0), "🌞"}) },
			func() error { return activity(Activity{at(10, 30), "swimming"}) },
			func() error { return handledAt(at(10, 30)) },
			func() error { return weather(Weather{at(11, 0), "⛅"}) },
			func() error { return activity(Activity{at(11, 30), "walking home"}) },
			func() error { return handledAt(at(11, 30)) },
			// The weather stops for a few seconds, while activities go on.
			func() error { return activity(Activity{at(12, 30), "shopping"}) },
			func() error { return handledAt(at(12, 30)) },
			func() error { return pause(ctx, outage/3) },
			func() error { return activity(Activity{at(13, 10), "lunch"}) },
			func() error { return pause(ctx, outage-outage/3) },
			// The weather comes back.
			func() error { return weather(Weather{at(12, 0), "🌦️"}) },
			func() error { return weather(Weather{at(13, 0), "🌧"}) },
			// Shopping again, and lunch: five activities handled in all.
			func() error { return until(ctx, func() bool { return handled.Load() >= 5 }) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	}

	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()
	err = story()
	cancel() // the topic never ends: stop the app
	if runErr := <-errc; runErr != nil {
		return runErr
	}
	if err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// entryTime returns the time of a stored weather update: its marker.
func entryTime(e kv.Entry[time.Time, string]) time.Time { return e.Key }

// until waits until cond holds, checking every 10 milliseconds.
func until(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// pause waits for d.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A syncWriter lets the handlers of both streams print.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
