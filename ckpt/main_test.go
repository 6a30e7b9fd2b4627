package ckpt_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// at returns hh:mm on the day of the tests, in UTC.
func at(hh, mm int) time.Time {
	return time.Date(2025, time.January, 1, hh, mm, 0, 0, time.UTC)
}

// A gate is a Pausable that records what the checkpoint did to it.
type gate struct {
	mu              sync.Mutex
	paused          bool
	pauses, resumes int
}

func (g *gate) Pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.paused = true
	g.pauses++
}

func (g *gate) Resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.paused = false
	g.resumes++
}

func (g *gate) Paused() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused
}

// memCache returns a cache held in memory.
func memCache() *kv.Cache[string, []byte] {
	return kv.NewMemory(codec.StringKey(), codec.Bytes())
}

// newTime makes a checkpoint "test" on event times with one dependency
// "dependency", gating a fresh gate.
func newTime(t testing.TB, opts *ckpt.TimeOptions) (*ckpt.TimeCheckpoint, *gate) {
	t.Helper()
	g := &gate{}
	c, err := ckpt.New("test", g, []*ckpt.TimeDependency{ckpt.NewDependency("dependency")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, g
}

func pulse[M, D any](t testing.TB, c *ckpt.Checkpoint[M, D], marker M, state ckpt.State) (D, bool) {
	t.Helper()
	d, down, err := c.CheckPulse(context.Background(), marker, state)
	if err != nil {
		t.Fatal(err)
	}
	return d, down
}

func beat[M, D any](t testing.TB, c *ckpt.Checkpoint[M, D], marker M, name ...string) ckpt.Latency[M] {
	t.Helper()
	l, err := c.Heartbeat(context.Background(), marker, name...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func newTwo(t testing.TB, opts *ckpt.TimeOptions) (*ckpt.TimeCheckpoint, *gate) {
	t.Helper()
	g := &gate{}
	c, err := ckpt.New("test", g, []*ckpt.TimeDependency{ckpt.NewDependency("dependency"), ckpt.NewDependency("extra")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, g
}

// recorder records callbacks, and checks that they never overlap.
type recorder struct {
	mu      sync.Mutex
	events  []string
	running atomic.Int32
	overlap atomic.Bool
}

func (r *recorder) callback(kind string) ckpt.Callback[time.Time, time.Duration] {
	return func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
		if r.running.Add(1) > 1 {
			r.overlap.Store(true)
		}
		defer r.running.Add(-1)
		_ = c.String() // callbacks may read the checkpoint
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, kind+" "+d.Name())
		return nil
	}
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}
