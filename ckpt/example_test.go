package ckpt_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// The original's walk through a downtime, one call at a time. In an app,
// the dependent's handler calls CheckPulse and the dependency's handler
// calls Heartbeat.
func Example() {
	ctx := context.Background()
	dependent := stream.From(source.Values("🏆", "📞", "🐟", "👌"))
	c, err := ckpt.New("dependent", dependent,
		[]*ckpt.TimeDependency{ckpt.NewDependency("dependency")},
		&ckpt.TimeOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	// The dependent's handler reads that very stream (here the app is not
	// run: the example calls the checkpoint as the handlers would).
	stream.Handle(stream.NewApp(), dependent, stream.Do(func(string) {}))

	// On the first pulse, no heartbeat has come from the dependency yet:
	// it takes the dependent's state and marker.
	_, _, _ = c.CheckPulse(ctx, at(10, 0), ckpt.State{"offset": 8})
	m, _ := c.Dependency("dependency").Marker()
	fmt.Println("dependency marker:", m.Format("15:04"))

	// A heartbeat from the dependency, on time.
	latency, _ := c.Heartbeat(ctx, at(10, 30))
	fmt.Println("late:", latency.IsLate)

	// Half an hour later, nothing more from the dependency: more than the
	// threshold of ten minutes. The dependent is paused.
	downtime, down, _ := c.CheckPulse(ctx, at(11, 0), ckpt.State{"offset": 9})
	fmt.Println("down:", down, downtime, "paused:", dependent.Paused())

	// The dependency comes back, behind: the dependent stays paused until
	// it has caught up.
	latency, _ = c.Heartbeat(ctx, at(10, 45))
	fmt.Println("late:", latency.IsLate, "paused:", dependent.Paused())
	latency, _ = c.Heartbeat(ctx, at(11, 1))
	fmt.Println("late:", latency.IsLate, "paused:", dependent.Paused())
	fmt.Println(c)
	// Output:
	// dependency marker: 10:00
	// late: false
	// down: true 30m0s paused: true
	// late: true paused: true
	// late: false paused: false
	// dependent{state: map[offset:9], state_marker: 2025-01-01 11:00:00 +0000 UTC, checkpoints: [dependency{checkpoint_state: map[offset:9], checkpoint_marker: 2025-01-01 11:01:00 +0000 UTC}]}
}

// Markers need not be times: here they are sequence numbers, and the
// downtime is how many the dependency is behind.
func ExampleNewDependencyFunc() {
	type (
		C = ckpt.Checkpoint[int64, int64]
		D = ckpt.Dependency[int64, int64]
	)
	behind := func(_ context.Context, c *C, d *D) (int64, bool, error) {
		dependent, _ := c.Marker()
		dependency, _ := d.Marker()
		gap := dependent - dependency
		return gap, gap > 100, nil
	}
	caughtUp := func(_ context.Context, c *C, d *D) (bool, error) {
		dependent, _ := c.Marker()
		dependency, _ := d.Marker()
		return dependency >= dependent, nil
	}
	c, err := ckpt.New("invoices", nil, []*D{ckpt.NewDependencyFunc("orders", behind, caughtUp)},
		&ckpt.Options[int64, int64]{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_, _ = c.Heartbeat(ctx, 1000)
	for _, seq := range []int64{1050, 1101, 1200} {
		gap, down, _ := c.CheckPulse(ctx, seq, nil)
		fmt.Println(seq, "down:", down, "behind by", gap)
	}
	latency, _ := c.Heartbeat(ctx, 1200)
	fmt.Println("late:", latency.IsLate)
	// Output:
	// 1050 down: false behind by 0
	// 1101 down: true behind by 101
	// 1200 down: true behind by 200
	// late: false
}

// A recovery callback that seeks the dependent topic back to where it was
// when the dependency went down, so that what was handled with stale data
// is handled again.
func ExampleOptions_recovery() {
	type seeker interface {
		Seek(ctx context.Context, offsets map[int32]int64) error
	}
	var activities seeker = printSeeker{}
	c, err := ckpt.New("activity", nil, []*ckpt.TimeDependency{ckpt.NewDependency("weather", ckpt.WithThreshold(time.Hour))},
		&ckpt.TimeOptions{
			OnRecovery: func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
				// With a kafka.Topic: topic.Seek(ctx, kafka.PerPartition(d.DownState().Offsets()))
				return activities.Seek(ctx, d.DownState().Offsets())
			},
			Logger: slog.New(slog.DiscardHandler),
		})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	_, _ = c.Heartbeat(ctx, at(11, 0))
	_, _, _ = c.CheckPulse(ctx, at(11, 30), ckpt.PartitionOffset(0, 1))
	_, _, _ = c.CheckPulse(ctx, at(12, 30), ckpt.PartitionOffset(0, 2)) // down: stale from here
	_, _ = c.Heartbeat(ctx, at(13, 0))
	// Output:
	// seek to map[0:2]
}

type printSeeker struct{}

func (printSeeker) Seek(_ context.Context, offsets map[int32]int64) error {
	fmt.Println("seek to", offsets)
	return nil
}

// A dependency whose output the dependent reads, weather updates stored by
// time, heartbeats through a HeartbeatSink: once an update is stored, so
// that a dependent resumed by the heartbeat finds it.
func ExampleNewHeartbeatSink() {
	type Weather struct {
		Time  time.Time
		Emoji string
	}
	weatherByTime := kv.NewMemory(codec.Time(), codec.String())
	c, err := ckpt.New("activity", nil, []*ckpt.TimeDependency{ckpt.NewDependency("weather")},
		&ckpt.TimeOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	updates := source.Values(Weather{at(10, 0), "🌞"}, Weather{at(11, 0), "⛅"})

	app := stream.NewApp()
	stream.Handle(app, updates, stream.Func(func(w Weather) kv.Entry[time.Time, string] {
		return kv.NewEntry(w.Time, w.Emoji)
	}), ckpt.NewHeartbeatSink(c, weatherByTime, func(e kv.Entry[time.Time, string]) time.Time {
		return e.Key
	}).OnHeartbeat(func(_ context.Context, e kv.Entry[time.Time, string], _ ckpt.Latency[time.Time]) error {
		stored, err := weatherByTime.Get(e.Key)
		fmt.Println("heartbeat at", e.Key.Format("15:04"), "with", stored.OrEmpty(), "stored")
		return err
	}))
	if err := app.Run(context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// heartbeat at 10:00 with 🌞 stored
	// heartbeat at 11:00 with ⛅ stored
}
