package ckpt_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestDependencyDefaults(t *testing.T) {
	d := ckpt.NewDependency("emoji")
	if d.Name() != "emoji" {
		t.Errorf("Name = %q", d.Name())
	}
	if s := d.State(); s != nil {
		t.Errorf("State = %v, want nil", s)
	}
	if m, ok := d.Marker(); ok {
		t.Errorf("Marker = %v, want none", m)
	}
	if d.Threshold() != 10*time.Minute || ckpt.DefaultThreshold != 10*time.Minute {
		t.Errorf("Threshold = %v, want 10m", d.Threshold())
	}
	if d.Down() {
		t.Error("a new dependency is down")
	}
	if _, ok := d.Downtime(); ok {
		t.Error("a new dependency has a downtime")
	}
	if d.DownState() != nil {
		t.Error("a new dependency has a down state")
	}
	if got := ckpt.NewDependency("x", ckpt.WithThreshold(time.Hour)).Threshold(); got != time.Hour {
		t.Errorf("WithThreshold(1h): Threshold = %v", got)
	}
}

func TestCheckpointDefaults(t *testing.T) {
	c, g := newTime(t, nil)
	if c.Name() != "test" {
		t.Errorf("Name = %q", c.Name())
	}
	if deps := c.Dependencies(); len(deps) != 1 || deps[0].Name() != "dependency" || c.Dependency("dependency") != deps[0] {
		t.Errorf("Dependencies = %v", deps)
	}
	if c.Dependency("other") != nil {
		t.Error("Dependency of an unknown name is not nil")
	}
	if s := c.State(); s == nil || len(s) != 0 {
		t.Errorf("State = %#v, want empty", s)
	}
	if m, ok := c.Marker(); ok {
		t.Errorf("Marker = %v, want none", m)
	}
	if c.Down() || g.Paused() {
		t.Error("a new checkpoint is down or has paused its dependent")
	}
	if s := c.String(); !strings.Contains(s, "test{state: map[]") || !strings.Contains(s, "dependency{") {
		t.Errorf("String = %q", s)
	}
}

// TestSaveAndLoad stores a checkpoint and its dependency's checkpoint in a
// cache, under the original's keys, and loads them in a new checkpoint.
func TestSaveAndLoad(t *testing.T) {
	cache := memCache()
	c, _ := newTime(t, &ckpt.TimeOptions{Cache: cache})
	pulse(t, c, at(10, 0), ckpt.State{"offset": 1})
	beat(t, c, at(10, 5))

	for _, key := range []string{
		"__test__state", "__test__state_marker",
		"__test_dependency_checkpoint_state", "__test_dependency_checkpoint_marker",
	} {
		if ok, err := cache.Has(key); err != nil || !ok {
			t.Errorf("key %s: stored %v, %v", key, ok, err)
		}
	}
	raw, _ := cache.Get("__test_dependency_checkpoint_state")
	if got := string(raw.OrEmpty()); got != `{"offset":1}` {
		t.Errorf("stored state %s", got)
	}

	loaded, _ := newTime(t, &ckpt.TimeOptions{Cache: cache})
	if s := loaded.State(); !maps.Equal(s, ckpt.State{"offset": 1}) {
		t.Errorf("loaded State = %v", s)
	}
	if m, ok := loaded.Marker(); !ok || !m.Equal(at(10, 0)) {
		t.Errorf("loaded Marker = %v, %v", m, ok)
	}
	d := loaded.Dependency("dependency")
	if s := d.State(); !maps.Equal(s, ckpt.State{"offset": 1}) {
		t.Errorf("loaded dependency State = %v", s)
	}
	if m, ok := d.Marker(); !ok || !m.Equal(at(10, 5)) {
		t.Errorf("loaded dependency Marker = %v, %v", m, ok)
	}

	// Another prefix is another checkpoint.
	other, _ := newTime(t, &ckpt.TimeOptions{Cache: cache, KeyPrefix: "x"})
	if _, ok := other.Marker(); ok {
		t.Error("a checkpoint with another prefix loaded a marker")
	}
}

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

func newTwo(t testing.TB, opts *ckpt.TimeOptions) (*ckpt.TimeCheckpoint, *gate) {
	t.Helper()
	g := &gate{}
	c, err := ckpt.New("test", g, []*ckpt.TimeDependency{ckpt.NewDependency("dependency"), ckpt.NewDependency("extra")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, g
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

func TestWithoutPausing(t *testing.T) {
	c, g := newTime(t, &ckpt.TimeOptions{NoPause: true})
	pulse(t, c, at(10, 0), nil)
	if _, down := pulse(t, c, at(11, 0), nil); !down || !c.Down() {
		t.Error("no downtime reported")
	}
	beat(t, c, at(11, 1))
	if g.pauses != 0 || g.resumes != 0 {
		t.Errorf("paused %d and resumed %d times", g.pauses, g.resumes)
	}
	// A nil dependent is fine too.
	c2, err := ckpt.New("nil", nil, []*ckpt.TimeDependency{ckpt.NewDependency("d")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pulse(t, c2, at(10, 0), nil)
	if _, down := pulse(t, c2, at(11, 0), nil); !down {
		t.Error("no downtime reported without a dependent")
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

func TestCallbacksOncePerTransition(t *testing.T) {
	var r recorder
	c, _ := newTwo(t, &ckpt.TimeOptions{OnDowntime: r.callback("down"), OnRecovery: r.callback("up")})
	pulse(t, c, at(10, 0), nil)
	pulse(t, c, at(11, 0), nil) // both go down
	pulse(t, c, at(11, 5), nil) // late again: no callback
	beat(t, c, at(10, 30), "dependency")
	beat(t, c, at(11, 6), "dependency") // one recovers: no callback yet
	beat(t, c, at(11, 6), "extra")      // all clear
	beat(t, c, at(11, 7), "extra")
	pulse(t, c, at(11, 7), nil)
	pulse(t, c, at(12, 0), nil) // down again
	want := []string{"down dependency", "down extra", "up extra", "down dependency", "down extra"}
	if got := r.get(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("callbacks %q, want %q", got, want)
	}
}

func TestCallbackErrors(t *testing.T) {
	boom := errors.New("boom")
	failing := func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) error { return boom }
	c, g := newTime(t, &ckpt.TimeOptions{OnDowntime: failing, OnRecovery: failing})
	pulse(t, c, at(10, 0), nil)
	if _, down, err := c.CheckPulse(context.Background(), at(11, 0), nil); !errors.Is(err, boom) || !down || !strings.Contains(err.Error(), "downtime callback") {
		t.Errorf("CheckPulse with a failing callback: %v, %v", down, err)
	}
	if l, err := c.Heartbeat(context.Background(), at(12, 0)); !errors.Is(err, boom) || l.IsLate {
		t.Errorf("Heartbeat with a failing callback: %+v, %v", l, err)
	}
	if g.Paused() {
		t.Error("a failing recovery callback left the dependent paused")
	}
}

func TestNewChecksDependencies(t *testing.T) {
	d := ckpt.NewDependency("d")
	for name, deps := range map[string][]*ckpt.TimeDependency{
		"no dependencies":  nil,
		"is nil":           {nil},
		"has no name":      {ckpt.NewDependency("")},
		"two dependencies": {ckpt.NewDependency("x"), ckpt.NewDependency("x")},
	} {
		if _, err := ckpt.New("test", nil, deps, nil); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ckpt.New("", nil, []*ckpt.TimeDependency{d}, nil); err == nil {
		t.Error("a checkpoint without a name")
	}
	if _, err := ckpt.New("one", nil, []*ckpt.TimeDependency{d}, nil); err != nil {
		t.Fatal(err)
	}
	free := ckpt.NewDependency("free")
	if _, err := ckpt.New("two", nil, []*ckpt.TimeDependency{free, d}, nil); err == nil || !strings.Contains(err.Error(), "another checkpoint") {
		t.Errorf("a dependency in two checkpoints: %v", err)
	}
	if _, err := ckpt.New("three", nil, []*ckpt.TimeDependency{free}, nil); err != nil {
		t.Errorf("a dependency released by a failed New: %v", err)
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

// TestRecoveryCallbackRunsBeforeResume: a seek in the recovery callback
// happens while the dependent is still paused.
func TestRecoveryCallbackRunsBeforeResume(t *testing.T) {
	g := &gate{}
	var pausedInCallback bool
	var seekTo ckpt.State
	c, err := ckpt.New("test", g, []*ckpt.TimeDependency{ckpt.NewDependency("d")}, &ckpt.TimeOptions{
		OnRecovery: func(_ context.Context, _ *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
			pausedInCallback = g.Paused()
			seekTo = d.DownState()
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pulse(t, c, at(10, 0), ckpt.PartitionOffset(0, 1))
	pulse(t, c, at(11, 0), ckpt.PartitionOffset(0, 2)) // down here
	pulse(t, c, at(11, 1), ckpt.PartitionOffset(0, 3)) // in flight when paused
	beat(t, c, at(11, 2))
	if !pausedInCallback || g.Paused() {
		t.Errorf("paused in the callback %v, after %v", pausedInCallback, g.Paused())
	}
	if got := seekTo.Offsets(); !maps.Equal(got, map[int32]int64{0: 2}) {
		t.Errorf("DownState offsets %v, want partition 0 at 2", got)
	}
	if got := c.Dependency("d").State().Offsets(); !maps.Equal(got, map[int32]int64{0: 3}) {
		t.Errorf("State offsets %v, want partition 0 at 3", got)
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

func TestPartitionOffset(t *testing.T) {
	s := ckpt.PartitionOffset(3, 42)
	if !maps.Equal(s, ckpt.State{"3": 42}) {
		t.Errorf("PartitionOffset = %v", s)
	}
	s["offset"] = 1
	s["-1"] = 2
	if got := s.Offsets(); !maps.Equal(got, map[int32]int64{3: 42}) {
		t.Errorf("Offsets = %v", got)
	}
	if ckpt.State(nil).Clone() != nil {
		t.Error("Clone of nil")
	}
}
