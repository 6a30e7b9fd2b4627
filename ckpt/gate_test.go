package ckpt_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// TestGateStreamApp runs a checkpoint in an app: a dependent stream and a
// dependency stream, each from a channel, with the handlers calling
// CheckPulse and Heartbeat. Downtime pauses the dependent stream; the item
// sent meanwhile waits, and is handled once the dependency has caught up.
func TestGateStreamApp(t *testing.T) {
	ctx := testkit.Context(t, 20*time.Second)
	activities := make(chan time.Time, 4)
	weather := make(chan time.Time)
	dependent := stream.From(source.Chan(activities))
	c, err := ckpt.New("activity", dependent, []*ckpt.TimeDependency{ckpt.NewDependency("weather")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 16)
	app := stream.NewApp()
	stream.Handle(app, dependent, stream.DoErr(func(ctx context.Context, at time.Time) error {
		downtime, down, err := c.CheckPulse(ctx, at, nil)
		out <- fmt.Sprintf("activity %s down %v %v", at.Format("15:04"), down, downtime)
		return err
	}))
	stream.Handle(app, source.Chan(weather), stream.DoErr(func(ctx context.Context, at time.Time) error {
		l, err := c.Heartbeat(ctx, at)
		out <- fmt.Sprintf("weather %s late %v", at.Format("15:04"), l.IsLate)
		return err
	}))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()

	next := func() string {
		t.Helper()
		select {
		case s := <-out:
			return s
		case err := <-errc:
			t.Fatalf("the app ended: %v", err)
		case <-ctx.Done():
			t.Fatal("timed out")
		}
		return ""
	}
	expect := func(want ...string) {
		t.Helper()
		var got []string
		for range want {
			got = append(got, next())
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	}

	weather <- at(10, 0)
	expect("weather 10:00 late false")
	activities <- at(10, 5)
	expect("activity 10:05 down false 0s")
	activities <- at(10, 30)
	expect("activity 10:30 down true 30m0s")
	if !dependent.Paused() {
		t.Fatal("the dependent stream is not paused")
	}

	// Sent while paused: it waits.
	activities <- at(10, 40)
	select {
	case s := <-out:
		t.Fatalf("handled while paused: %s", s)
	case <-time.After(200 * time.Millisecond):
	}
	weather <- at(10, 20) // a backlog: still behind
	expect("weather 10:20 late true")
	if !dependent.Paused() {
		t.Fatal("resumed before the dependency caught up")
	}
	weather <- at(10, 45) // caught up: the waiting activity goes through
	expect("weather 10:45 late false", "activity 10:40 down false 0s")

	close(activities)
	close(weather)
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("the app did not end")
	}
}

// TestRestartDuringDowntime stops a process in the middle of a downtime and
// starts another on the same RocksDB cache: it goes on where the first
// stopped, down and paused, and recovers as the first would have.
func TestRestartDuringDowntime(t *testing.T) {
	dir := t.TempDir()
	open := func() *kv.Cache[string, []byte] {
		t.Helper()
		cache, err := kv.Open(dir, codec.StringKey(), codec.Bytes(), nil) // the default keeps every key
		if err != nil {
			t.Fatal(err)
		}
		return cache
	}
	start := func(cache *kv.Cache[string, []byte], r *recorder) (*ckpt.TimeCheckpoint, *gate) {
		t.Helper()
		g := &gate{}
		c, err := ckpt.New("activity", g,
			[]*ckpt.TimeDependency{ckpt.NewDependency("weather", ckpt.WithThreshold(time.Hour))},
			&ckpt.TimeOptions{Cache: cache, OnDowntime: r.callback("down"), OnRecovery: r.callback("up")})
		if err != nil {
			t.Fatal(err)
		}
		return c, g
	}

	// The first process.
	cache := open()
	var r1 recorder
	c, g := start(cache, &r1)
	beat(t, c, at(10, 0))
	pulse(t, c, at(10, 30), ckpt.PartitionOffset(0, 0))
	beat(t, c, at(11, 0))
	pulse(t, c, at(11, 30), ckpt.PartitionOffset(0, 1))
	if downtime, down := pulse(t, c, at(12, 30), ckpt.PartitionOffset(0, 2)); !down || downtime != 90*time.Minute || !g.Paused() {
		t.Fatalf("pulse at 12:30: %v, %v", downtime, down)
	}
	pulse(t, c, at(12, 31), ckpt.PartitionOffset(0, 3)) // in flight
	if l := beat(t, c, at(12, 0)); !l.IsLate {
		t.Fatal("not late at 12:00")
	}
	if err := cache.Close(); err != nil {
		t.Fatal(err)
	}

	// The second process.
	cache = open()
	var r2 recorder
	c, g = start(cache, &r2)
	if !g.Paused() || !c.Down() {
		t.Fatalf("restarted: paused %v, down %v", g.Paused(), c.Down())
	}
	if s := c.State(); !maps.Equal(s, ckpt.PartitionOffset(0, 3)) {
		t.Errorf("State = %v", s)
	}
	if m, _ := c.Marker(); !m.Equal(at(12, 31)) {
		t.Errorf("Marker = %v", m)
	}
	d := c.Dependency("weather")
	if m, _ := d.Marker(); !m.Equal(at(12, 0)) {
		t.Errorf("dependency Marker = %v", m)
	}
	if s := d.State(); !maps.Equal(s, ckpt.PartitionOffset(0, 3)) {
		t.Errorf("dependency State = %v", s)
	}
	if s := d.DownState(); !maps.Equal(s, ckpt.PartitionOffset(0, 2)) {
		t.Errorf("dependency DownState = %v", s)
	}
	// Still down at the next pulse, without a second downtime callback.
	if downtime, down := pulse(t, c, at(12, 31), nil); !down || downtime != 91*time.Minute {
		t.Errorf("pulse after the restart: %v, %v", downtime, down)
	}
	if l := beat(t, c, at(13, 0)); l.IsLate {
		t.Error("late at 13:00")
	}
	if g.Paused() || c.Down() {
		t.Error("not recovered")
	}
	if got, want := r1.get(), []string{"down weather"}; !slices.Equal(got, want) {
		t.Errorf("callbacks in the first process %q, want %q", got, want)
	}
	if got, want := r2.get(), []string{"up weather"}; !slices.Equal(got, want) {
		t.Errorf("callbacks in the second process %q, want %q", got, want)
	}
	if err := cache.Close(); err != nil {
		t.Fatal(err)
	}

	// The third process starts up.
	cache = open()
	defer cache.Close()
	c, g = start(cache, &recorder{})
	if g.Paused() || c.Down() {
		t.Error("down after the recovery was stored")
	}
}

// TestCheckPulseFailsWhenTheDependentStreamIsNotTheOneBound: binding the
// source itself, not the stream given to New, would leave pausing without
// effect; the first CheckPulse says so and the app fails with it.
func TestCheckPulseFailsWhenTheDependentStreamIsNotTheOneBound(t *testing.T) {
	ctx := testkit.Context(t, 20*time.Second)
	activities := source.Values(at(10, 0), at(10, 30))
	c, err := ckpt.New("activity", stream.From(activities), []*ckpt.TimeDependency{ckpt.NewDependency("weather")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	app := stream.NewApp()
	stream.Handle(app, activities, stream.DoErr(func(ctx context.Context, a time.Time) error {
		_, _, err := c.CheckPulse(ctx, a, nil)
		return err
	}))
	err = app.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "read by no handler") || !strings.Contains(err.Error(), `"activity"`) {
		t.Fatalf("Run = %v, want the error that the dependent stream is read by no handler", err)
	}
}
