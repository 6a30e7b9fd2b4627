// Checkpoint: pause a dependent stream while the stream it depends on is
// down, and resume it once the dependency has caught up.
//
// The dependent stream's handler reports each event time to the checkpoint
// with CheckPulse; the dependency's handler reports its own with
// Heartbeat. It can, because it stores nothing that the dependent reads: a
// dependency that does, such as weather updates stored for activities to
// be enriched with, heartbeats through a ckpt.HeartbeatSink once each is
// stored (see the synchronization example).
//
// Here the dependency is silent at first: the first pulse takes the
// dependent's time, 10:00, as its last sign of life. Once the dependent is
// more than ten minutes further, at 10:11, the dependency is down, and the
// dependent is paused. The dependency then comes back with a backlog: its
// first heartbeats are late, and the dependent stays paused until the
// dependency has caught up, at 10:12. The checkpoint is stored in a Cache,
// so that a restarted program would go on where this one stopped.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// An Event is an emoji at an event time.
type Event struct {
	Emoji          string
	EventTimestamp time.Time
}

// at returns hh:mm on the day of the example.
func at(hh, mm int) time.Time {
	return time.Date(2025, time.January, 1, hh, mm, 0, 0, time.UTC)
}

func main() {
	dir, err := os.MkdirTemp("", "slipstream-checkpoint-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(context.Background(), os.Stdout, dir); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, dir string) error {
	// Two live streams, fed below.
	dependentEvents, dependencyEvents := make(chan Event), make(chan Event)
	dependent := stream.From(source.Chan(dependentEvents))
	dependency := source.Chan(dependencyEvents)

	// Cache for persisting one or more Checkpoints. The default options
	// keep every key, however long ago it was written; never give a
	// checkpoint a FIFO cache (see ckpt.Options.Cache).
	checkpoints, err := kv.Open(filepath.Join(dir, "state", "checkpoints"), codec.StringKey(), codec.Bytes(), nil)
	if err != nil {
		return err
	}
	defer checkpoints.Close()

	c, err := ckpt.New("dependent", dependent,
		[]*ckpt.TimeDependency{ckpt.NewDependency("dependency")},
		&ckpt.TimeOptions{
			Cache: checkpoints,
			OnRecovery: func(_ context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
				marker, _ := d.Marker()
				fmt.Fprintf(w, "%s caught up at %s: resuming %s\n", d.Name(), marker.Format("15:04"), c.Name())
				return nil
			},
		})
	if err != nil {
		return err
	}

	app := stream.NewApp()
	// The dependency's handler heartbeats itself: it stores nothing that
	// the dependent's handler reads.
	stream.Handle(app, dependency, stream.DoErr(func(ctx context.Context, e Event) error {
		latency, err := c.Heartbeat(ctx, e.EventTimestamp)
		if latency.IsLate {
			fmt.Fprintf(w, "latency %+v\n", latency)
		}
		return err
	}))
	noticed := make(chan struct{})
	notice := sync.OnceFunc(func() { close(noticed) })
	stream.Handle(app, dependent, stream.DoErr(func(ctx context.Context, e Event) error {
		fmt.Fprintf(w, "dependent %s at %s\n", e.Emoji, e.EventTimestamp.Format("15:04"))
		downtime, down, err := c.CheckPulse(ctx, e.EventTimestamp, nil)
		if down {
			fmt.Fprintf(w, "Downtime detected: %v\n", downtime)
			notice()
		}
		return err
	}))

	// The scenario: the dependent's first events, while the dependency is
	// silent; once the downtime is noticed, the dependent's next event,
	// which waits, and the dependency's backlog.
	go func() {
		defer close(dependencyEvents)
		defer close(dependentEvents)
		send := func(ch chan<- Event, events ...Event) bool {
			for _, e := range events {
				select {
				case ch <- e:
				case <-ctx.Done():
					return false
				}
			}
			return true
		}
		if !send(dependentEvents, Event{"🏆", at(10, 0)}, Event{"📞", at(10, 5)}, Event{"🐟", at(10, 11)}) {
			return
		}
		select {
		case <-noticed:
		case <-ctx.Done():
			return
		}
		_ = send(dependentEvents, Event{"👌", at(10, 15)}) &&
			send(dependencyEvents, Event{"🏆", at(10, 4)}, Event{"📞", at(10, 9)}, Event{"🐟", at(10, 12)}, Event{"👌", at(10, 16)})
	}()

	if err := app.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(w, c)
	return nil
}
