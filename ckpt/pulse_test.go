package ckpt_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestHeartbeatOneDependency(t *testing.T) {
	c, _ := newTime(t, nil)
	pulse(t, c, at(10, 0), ckpt.State{"0": 7})
	l := beat(t, c, at(10, 30))
	if l.IsLate || !l.DependentMarker.Equal(at(10, 0)) || !l.DependencyMarker.Equal(at(10, 30)) {
		t.Errorf("Latency = %+v", l)
	}
	d := c.Dependency("dependency")
	if m, _ := d.Marker(); !m.Equal(at(10, 30)) {
		t.Errorf("dependency marker %v", m)
	}
	if !maps.Equal(d.State(), c.State()) {
		t.Errorf("dependency state %v, checkpoint state %v", d.State(), c.State())
	}
	// The dependency's state is a copy: later pulses do not move it.
	pulse(t, c, at(10, 1), ckpt.State{"0": 8})
	if got := d.State()["0"]; got != 7 {
		t.Errorf("a pulse moved the dependency's state to %d", got)
	}
	// Named, too.
	if l := beat(t, c, at(10, 40), "dependency"); !l.DependencyMarker.Equal(at(10, 40)) {
		t.Errorf("named heartbeat: %+v", l)
	}
}

func TestHeartbeatUnknownDependency(t *testing.T) {
	c, _ := newTime(t, nil)
	_, err := c.Heartbeat(context.Background(), at(10, 30), "not-existing")
	if !errors.Is(err, ckpt.ErrUnknownDependency) || !strings.Contains(err.Error(), `"not-existing"`) || !strings.Contains(err.Error(), `"dependency"`) {
		t.Errorf("Heartbeat of an unknown dependency: %v", err)
	}
	if _, ok := c.Dependency("dependency").Marker(); ok {
		t.Error("a failed heartbeat set a marker")
	}
	if _, err := c.Heartbeat(context.Background(), at(10, 30), "dependency", "dependency"); err == nil {
		t.Error("Heartbeat with two names did not fail")
	}
}

func TestHeartbeatSeveralDependencies(t *testing.T) {
	c, _ := newTwo(t, nil)
	_, err := c.Heartbeat(context.Background(), at(10, 0))
	if !errors.Is(err, ckpt.ErrDependencyNameNeeded) || !strings.Contains(err.Error(), `"dependency", "extra"`) {
		t.Errorf("Heartbeat without a name: %v", err)
	}
	beat(t, c, at(10, 30), "dependency")
	if m, _ := c.Dependency("dependency").Marker(); !m.Equal(at(10, 30)) {
		t.Errorf("dependency marker %v", m)
	}
	if _, ok := c.Dependency("extra").Marker(); ok {
		t.Error("the other dependency got a marker")
	}
}

func TestFirstPulseInitialisesDependency(t *testing.T) {
	c, g := newTime(t, nil)
	if _, down := pulse(t, c, at(10, 0), ckpt.State{"offset": 0}); down {
		t.Error("the first pulse found downtime")
	}
	d := c.Dependency("dependency")
	if m, ok := d.Marker(); !ok || !m.Equal(at(10, 0)) {
		t.Errorf("dependency marker %v, %v", m, ok)
	}
	if !maps.Equal(d.State(), ckpt.State{"offset": 0}) {
		t.Errorf("dependency state %v", d.State())
	}
	if m, _ := c.Marker(); !m.Equal(at(10, 0)) {
		t.Errorf("checkpoint marker %v", m)
	}
	if g.Paused() {
		t.Error("paused")
	}
}

func TestDowntimePausesDependent(t *testing.T) {
	c, g := newTime(t, nil)
	pulse(t, c, at(10, 0), ckpt.State{"offset": 0})
	downtime, down := pulse(t, c, at(10, 30), ckpt.State{"offset": 1})
	if !down || downtime != 30*time.Minute {
		t.Errorf("CheckPulse = %v, %v; want 30m, true", downtime, down)
	}
	d := c.Dependency("dependency")
	if !d.Down() || !c.Down() || !g.Paused() {
		t.Errorf("down %v, checkpoint down %v, paused %v", d.Down(), c.Down(), g.Paused())
	}
	if !maps.Equal(d.DownState(), ckpt.State{"offset": 1}) {
		t.Errorf("DownState = %v", d.DownState())
	}
	// Down still, without pausing again.
	downtime, down = pulse(t, c, at(10, 40), ckpt.State{"offset": 2})
	if !down || downtime != 40*time.Minute || g.pauses != 1 {
		t.Errorf("second late pulse: %v, %v, %d pauses", downtime, down, g.pauses)
	}
	if got, _ := d.Downtime(); got != 40*time.Minute {
		t.Errorf("Downtime = %v", got)
	}
	if !maps.Equal(d.DownState(), ckpt.State{"offset": 1}) {
		t.Errorf("DownState moved to %v", d.DownState())
	}
}

func TestRecoveryResumesDependent(t *testing.T) {
	c, g := newTime(t, nil)
	// With no heartbeat yet, the first pulse is the dependency's marker...
	pulse(t, c, at(10, 0), ckpt.State{"offset": 0})
	pulse(t, c, at(11, 0), ckpt.State{"offset": 1})
	// ...so an hour of dependent data later, it is down.
	d := c.Dependency("dependency")
	if !d.Down() || !g.Paused() {
		t.Fatal("not down")
	}
	// Data comes in, but late: still catching up.
	if l := beat(t, c, at(10, 30)); !l.IsLate || !l.DependentMarker.Equal(at(11, 0)) {
		t.Errorf("Latency = %+v; want late", l)
	}
	if !g.Paused() {
		t.Error("resumed while catching up")
	}
	// Caught up.
	if l := beat(t, c, at(11, 1)); l.IsLate {
		t.Errorf("Latency = %+v; want not late", l)
	}
	if d.Down() || c.Down() || g.Paused() || g.resumes != 1 {
		t.Errorf("down %v, paused %v, %d resumes", d.Down(), g.Paused(), g.resumes)
	}
	if _, down := pulse(t, c, at(11, 2), nil); down {
		t.Error("downtime after recovery")
	}
}

// TestCheckPulseReportsAnyDependency: downtime is reported while any
// dependency is down, not only when the last one is (a fix).
func TestCheckPulseReportsAnyDependency(t *testing.T) {
	c, g := newTwo(t, nil)
	pulse(t, c, at(10, 0), nil)
	beat(t, c, at(12, 0), "extra") // extra is well ahead
	downtime, down := pulse(t, c, at(11, 0), nil)
	if !down || downtime != time.Hour {
		t.Errorf("CheckPulse = %v, %v; want 1h, true", downtime, down)
	}
	// The dependency catches up a little: its check reports nothing now,
	// but it is still down, having not recovered yet.
	beat(t, c, at(10, 55), "dependency")
	downtime, down = pulse(t, c, at(11, 0), nil)
	if !down || downtime != time.Hour {
		t.Errorf("CheckPulse while catching up = %v, %v; want the last downtime, 1h", downtime, down)
	}
	// Recovery waits for every dependency.
	beat(t, c, at(11, 30), "extra")
	if !g.Paused() {
		t.Fatal("not paused")
	}
	c2, g2 := newTwo(t, nil)
	pulse(t, c2, at(10, 0), nil)
	pulse(t, c2, at(11, 0), nil) // both down
	beat(t, c2, at(11, 1), "dependency")
	if !g2.Paused() || !c2.Down() {
		t.Error("resumed with one dependency still down")
	}
	if downtime, down := pulse(t, c2, at(11, 0), nil); !down || downtime != time.Hour {
		t.Errorf("CheckPulse with the second one down = %v, %v", downtime, down)
	}
	beat(t, c2, at(11, 1), "extra")
	if g2.Paused() || c2.Down() {
		t.Error("not resumed with every dependency up")
	}
}

// TestConcurrentUse runs heartbeats and pulses from many goroutines: with
// the race detector on, and with callbacks that never overlap, alternate
// down and up, and leave the dependent paused exactly when it is down.
func TestConcurrentUse(t *testing.T) {
	var r recorder
	c, g := newTime(t, &ckpt.TimeOptions{Cache: memCache(), OnDowntime: r.callback("down"), OnRecovery: r.callback("up")})
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				// The dependent runs ahead in bursts; the dependency
				// catches up.
				m := at(10, 0).Add(time.Duration(i) * time.Minute)
				if w%2 == 0 {
					if _, _, err := c.CheckPulse(ctx, m.Add(time.Duration(i%30)*time.Minute), ckpt.State{"w": int64(i)}); err != nil {
						t.Error(err)
						return
					}
				} else if _, err := c.Heartbeat(ctx, m); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if r.overlap.Load() {
		t.Error("callbacks overlapped")
	}
	events := r.get()
	if len(events) == 0 {
		t.Fatal("no downtime at all: the test tests nothing")
	}
	for i, e := range events {
		if want := []string{"down dependency", "up dependency"}[i%2]; e != want {
			t.Fatalf("callback %d is %q, want %q: %q", i, e, want, events)
		}
	}
	if g.Paused() != c.Down() {
		t.Errorf("paused %v, down %v", g.Paused(), c.Down())
	}
}
