package ckpt_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestDefaultDowntimeCheck(t *testing.T) {
	ctx := context.Background()
	c, _ := newTime(t, nil)
	d := c.Dependency("dependency")
	pulse(t, c, at(10, 0), nil) // initialises the dependency at 10:00
	for _, tc := range []struct {
		now  time.Time
		down bool
	}{
		{at(10, 10), false}, // exactly the threshold: not down
		{at(10, 10).Add(time.Nanosecond), true},
		{at(11, 0), true},
	} {
		pulse(t, c, tc.now, nil)
		downtime, down, err := ckpt.DefaultDowntimeCheck(ctx, c, d)
		if err != nil || down != tc.down {
			t.Fatalf("at %v: down %v, %v; want %v", tc.now, down, err, tc.down)
		}
		if want := tc.now.Sub(at(10, 0)); down && downtime != want {
			t.Errorf("at %v: downtime %v, want %v", tc.now, downtime, want)
		}
	}
}

func TestDefaultRecoveryCheck(t *testing.T) {
	ctx := context.Background()
	c, _ := newTime(t, &ckpt.TimeOptions{NoPause: true})
	d := c.Dependency("dependency")
	pulse(t, c, at(10, 0), nil)
	beat(t, c, at(11, 0))
	if ok, err := ckpt.DefaultRecoveryCheck(ctx, c, d); err != nil || !ok {
		t.Errorf("dependency at 11:00, dependent at 10:00: recovered %v, %v", ok, err)
	}
	beat(t, c, at(10, 0))
	if ok, err := ckpt.DefaultRecoveryCheck(ctx, c, d); err != nil || ok {
		t.Errorf("both at 10:00: recovered %v, %v; want false (strictly later)", ok, err)
	}
}

// TestDefaultChecksNeedTimeMarkers: the default checks report an error for
// other markers, and New rejects a dependency that would use them.
func TestDefaultChecksNeedTimeMarkers(t *testing.T) {
	_, err := ckpt.New("test", nil, []*ckpt.Dependency[string, time.Duration]{
		ckpt.NewDependencyFunc[string, time.Duration]("d", nil, nil),
	}, nil)
	if !errors.Is(err, ckpt.ErrMarkerType) || !strings.Contains(err.Error(), "default downtime check") {
		t.Errorf("New with string markers and default checks: %v", err)
	}
	_, err = ckpt.New("test", nil, []*ckpt.Dependency[time.Time, int]{
		ckpt.NewDependencyFunc[time.Time, int]("d", nil, nil),
	}, nil)
	if !errors.Is(err, ckpt.ErrMarkerType) {
		t.Errorf("New with int downtimes and the default downtime check: %v", err)
	}
	// A custom downtime check with the default recovery check still needs
	// time markers.
	down := func(context.Context, *ckpt.Checkpoint[string, int], *ckpt.Dependency[string, int]) (int, bool, error) {
		return 0, false, nil
	}
	_, err = ckpt.New("test", nil, []*ckpt.Dependency[string, int]{ckpt.NewDependencyFunc("d", down, nil)}, nil)
	if !errors.Is(err, ckpt.ErrMarkerType) || !strings.Contains(err.Error(), "default recovery check") {
		t.Errorf("New with string markers and the default recovery check: %v", err)
	}

	// Called directly, as the original's test does.
	recovered := func(context.Context, *ckpt.Checkpoint[string, time.Duration], *ckpt.Dependency[string, time.Duration]) (bool, error) {
		return true, nil
	}
	never := func(context.Context, *ckpt.Checkpoint[string, time.Duration], *ckpt.Dependency[string, time.Duration]) (time.Duration, bool, error) {
		return 0, false, nil
	}
	c, err := ckpt.New("test", nil, []*ckpt.Dependency[string, time.Duration]{ckpt.NewDependencyFunc("d", never, recovered)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pulse(t, c, "not-datetime", nil)
	d := c.Dependency("d")
	if _, _, err := ckpt.DefaultDowntimeCheck(context.Background(), c, d); !errors.Is(err, ckpt.ErrMarkerType) || !strings.Contains(err.Error(), "expecting time.Time markers") {
		t.Errorf("DefaultDowntimeCheck on strings: %v", err)
	}
	if _, err := ckpt.DefaultRecoveryCheck(context.Background(), c, d); !errors.Is(err, ckpt.ErrMarkerType) {
		t.Errorf("DefaultRecoveryCheck on strings: %v", err)
	}
}

// TestCustomChecks: with custom checks, the checks decide, and their
// downtime is what CheckPulse reports.
func TestCustomChecks(t *testing.T) {
	var downCalls, upCalls atomic.Int32
	d := ckpt.NewDependencyFunc("dependency",
		func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) (time.Duration, bool, error) {
			downCalls.Add(1)
			return time.Hour, true, nil
		},
		func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) (bool, error) {
			upCalls.Add(1)
			return true, nil
		})
	c, err := ckpt.New("test", nil, []*ckpt.TimeDependency{d}, &ckpt.TimeOptions{Cache: memCache()})
	if err != nil {
		t.Fatal(err)
	}
	if downtime, down := pulse(t, c, at(10, 0), ckpt.State{"offset": 0}); !down || downtime != time.Hour || !d.Down() {
		t.Errorf("first pulse: %v, %v", downtime, down)
	}
	pulse(t, c, at(11, 0), ckpt.State{"offset": 1})
	if downCalls.Load() != 2 {
		t.Errorf("downtime check called %d times", downCalls.Load())
	}
	beat(t, c, at(11, 1))
	if upCalls.Load() != 1 || d.Down() {
		t.Errorf("recovery check called %d times; down %v", upCalls.Load(), d.Down())
	}
}

// TestCustomMarkers: sequence numbers as markers, gaps as downtimes.
func TestCustomMarkers(t *testing.T) {
	type C = ckpt.Checkpoint[int64, int64]
	type D = ckpt.Dependency[int64, int64]
	behind := func(_ context.Context, c *C, d *D) (int64, bool, error) {
		dependent, _ := c.Marker()
		dependency, _ := d.Marker()
		gap := dependent - dependency
		return gap, gap > 100, nil
	}
	caughtUp := func(_ context.Context, c *C, d *D) (bool, error) {
		dependent, _ := c.Marker()
		dependency, _ := d.Marker()
		return dependency > dependent, nil
	}
	var r []string
	record := func(kind string) ckpt.Callback[int64, int64] {
		return func(_ context.Context, _ *C, d *D) error {
			r = append(r, kind)
			return nil
		}
	}
	cache := memCache()
	g := &gate{}
	c, err := ckpt.New("seq", g, []*D{ckpt.NewDependencyFunc("orders", behind, caughtUp)},
		&ckpt.Options[int64, int64]{Cache: cache, OnDowntime: record("down"), OnRecovery: record("up")})
	if err != nil {
		t.Fatal(err)
	}
	pulse(t, c, 1, nil)
	if gap, down := pulse(t, c, 150, nil); !down || gap != 149 || !g.Paused() {
		t.Errorf("pulse at 150: %d, %v", gap, down)
	}
	if l := beat(t, c, 151); l.IsLate || l.DependentMarker != 150 || g.Paused() {
		t.Errorf("heartbeat at 151: %+v", l)
	}
	if strings.Join(r, ",") != "down,up" {
		t.Errorf("callbacks %v", r)
	}
	raw, _ := cache.Get("__seq_orders_checkpoint_marker")
	if got := string(raw.OrEmpty()); got != "151" {
		t.Errorf("stored marker %q", got)
	}
	// Loaded with the same types.
	c2, err := ckpt.New("seq", nil, []*D{ckpt.NewDependencyFunc("orders", behind, caughtUp)}, &ckpt.Options[int64, int64]{Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := c2.Dependency("orders").Marker(); m != 151 {
		t.Errorf("loaded marker %d", m)
	}
}

func TestCheckErrors(t *testing.T) {
	boom := errors.New("boom")
	d := ckpt.NewDependencyFunc("d",
		func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) (time.Duration, bool, error) {
			return 0, false, boom
		}, nil)
	c, err := ckpt.New("test", nil, []*ckpt.TimeDependency{d}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CheckPulse(context.Background(), at(10, 0), nil); !errors.Is(err, boom) || !strings.Contains(err.Error(), `downtime check of dependency "d"`) {
		t.Errorf("CheckPulse with a failing check: %v", err)
	}
}
