package ckpt

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultThreshold is the downtime threshold of a [Dependency] made without
// [WithThreshold]: ten minutes, as in the original.
const DefaultThreshold = 10 * time.Minute

// ErrMarkerType is what the default checks report when the markers are not
// [time.Time] (or the downtime not a [time.Duration]): other marker types
// need custom checks. Test for it with errors.Is.
var ErrMarkerType = errors.New("the default checks compare time.Time markers and report time.Duration downtimes")

// A DowntimeCheck decides, at each [Checkpoint.CheckPulse], whether
// dependency d of checkpoint c is down or behind. It returns the downtime
// and true when it is (the downtime is what CheckPulse reports), and false
// when it is not. An error fails the pulse.
//
// The default, [DefaultDowntimeCheck], compares event times. A check reads
// the markers with [Checkpoint.Marker] and [Dependency.Marker] and the
// states with [Checkpoint.State] and [Dependency.State]; it must not call
// [Checkpoint.Heartbeat] or [Checkpoint.CheckPulse], which wait for it.
type DowntimeCheck[M, D any] func(ctx context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) (downtime D, down bool, err error)

// A RecoveryCheck decides, at each [Checkpoint.Heartbeat] of dependency d
// while d is down, whether d has caught up with the dependent again. While
// it reports false, d stays down and the dependent stays paused, so that a
// dependency coming back with a backlog first works through it.
//
// The default, [DefaultRecoveryCheck], compares event times. The rules of
// [DowntimeCheck] apply.
type RecoveryCheck[M, D any] func(ctx context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) (recovered bool, err error)

// A DependencyOption configures a [Dependency].
type DependencyOption func(*depConfig)

type depConfig struct {
	threshold time.Duration
}

// WithThreshold sets the downtime threshold of the default downtime check:
// the dependency is down when the dependent's marker is more than
// threshold ahead of the dependency's (strictly more). The default is
// [DefaultThreshold], ten minutes. Custom checks can read it with
// [Dependency.Threshold].
func WithThreshold(threshold time.Duration) DependencyOption {
	return func(c *depConfig) { c.threshold = threshold }
}

// A Dependency is a stream that the dependent stream of a [Checkpoint] must
// not outrun, such as weather updates that activities are enriched with.
// Its handler reports each marker it handles to the checkpoint with
// [Checkpoint.Heartbeat]. The dependency keeps, as the original's does,
//
//   - its checkpoint: the dependent's [State] and the dependency's marker at
//     its last heartbeat ([Dependency.State], [Dependency.Marker]);
//   - whether it is down ([Dependency.Down]), with its last downtime
//     ([Dependency.Downtime]) and the dependent's State when it went down
//     ([Dependency.DownState]).
//
// Markers are of type M and downtimes of type D: [time.Time] and
// [time.Duration] for a [TimeDependency], made by [NewDependency]; other
// types with custom checks, by [NewDependencyFunc].
//
// The original also takes the dependency's stream; a Dependency does not,
// because the checkpoint never reads, pauses or otherwise touches it: the
// heartbeats are all it needs. The name identifies the dependency, in
// Heartbeat and in the cache, and must not change once state is stored.
//
// A Dependency belongs to one Checkpoint. Its methods are safe for
// concurrent use.
type Dependency[M, D any] struct {
	name            string
	threshold       time.Duration
	downtimeCheck   DowntimeCheck[M, D]
	recoveryCheck   RecoveryCheck[M, D]
	defaultDowntime bool
	defaultRecovery bool
	owned           atomic.Bool // taken by a Checkpoint

	mu          sync.Mutex
	state       State
	marker      M
	hasMarker   bool
	down        bool
	downtime    D
	hasDowntime bool
	downState   State
}

// A TimeDependency is a [Dependency] on event times: markers are
// [time.Time] and downtimes [time.Duration]. [NewDependency] makes one.
type TimeDependency = Dependency[time.Time, time.Duration]

// NewDependency returns the dependency called name, with the default
// checks on event times: it is down when the dependent's marker is more
// than the threshold (ten minutes unless [WithThreshold] says otherwise)
// ahead of the marker of its last heartbeat, and recovers when a heartbeat
// brings a marker later than the dependent's.
//
//	weather := ckpt.NewDependency("weather", ckpt.WithThreshold(time.Hour))
func NewDependency(name string, opts ...DependencyOption) *TimeDependency {
	return NewDependencyFunc[time.Time, time.Duration](name, nil, nil, opts...)
}

// NewDependencyFunc returns the dependency called name with the checks
// given, for markers of type M and downtimes of type D. A nil check is the
// default one, [DefaultDowntimeCheck] or [DefaultRecoveryCheck], which only
// works with [time.Time] markers and [time.Duration] downtimes: [New]
// rejects a dependency that has one with other types.
//
// For instance, with sequence numbers as markers and the gap between them
// as the downtime:
//
//	behind := func(ctx context.Context, c *ckpt.Checkpoint[int64, int64], d *ckpt.Dependency[int64, int64]) (int64, bool, error) {
//		dependent, _ := c.Marker()
//		dependency, _ := d.Marker()
//		gap := dependent - dependency
//		return gap, gap > 100, nil
//	}
//	caughtUp := func(ctx context.Context, c *ckpt.Checkpoint[int64, int64], d *ckpt.Dependency[int64, int64]) (bool, error) {
//		dependent, _ := c.Marker()
//		dependency, _ := d.Marker()
//		return dependency > dependent, nil
//	}
//	orders := ckpt.NewDependencyFunc("orders", behind, caughtUp)
func NewDependencyFunc[M, D any](name string, downtime DowntimeCheck[M, D], recovery RecoveryCheck[M, D], opts ...DependencyOption) *Dependency[M, D] {
	cfg := depConfig{threshold: DefaultThreshold}
	for _, o := range opts {
		o(&cfg)
	}
	d := &Dependency[M, D]{
		name:          name,
		threshold:     cfg.threshold,
		downtimeCheck: downtime,
		recoveryCheck: recovery,
	}
	if downtime == nil {
		d.downtimeCheck, d.defaultDowntime = DefaultDowntimeCheck[M, D], true
	}
	if recovery == nil {
		d.recoveryCheck, d.defaultRecovery = DefaultRecoveryCheck[M, D], true
	}
	return d
}

// checkTypes reports an error wrapping [ErrMarkerType] if d uses a default
// check with types it cannot handle.
func (d *Dependency[M, D]) checkTypes() error {
	markerOK := reflect.TypeFor[M]() == reflect.TypeFor[time.Time]()
	downtimeOK := reflect.TypeFor[D]() == reflect.TypeFor[time.Duration]()
	switch {
	case d.defaultDowntime && (!markerOK || !downtimeOK):
		return fmt.Errorf("dependency %q has the default downtime check, but markers of type %v and downtimes of type %v: %w; give it a custom DowntimeCheck (NewDependencyFunc)",
			d.name, reflect.TypeFor[M](), reflect.TypeFor[D](), ErrMarkerType)
	case d.defaultRecovery && !markerOK:
		return fmt.Errorf("dependency %q has the default recovery check, but markers of type %v: %w; give it a custom RecoveryCheck (NewDependencyFunc)",
			d.name, reflect.TypeFor[M](), ErrMarkerType)
	}
	return nil
}

// DefaultDowntimeCheck is the downtime check of [NewDependency]: d is down
// when the checkpoint's marker (the dependent's event time) is more than
// [Dependency.Threshold] after d's marker (the event time of its last
// heartbeat), strictly; the downtime is the difference. It needs
// [time.Time] markers and [time.Duration] downtimes and otherwise returns
// an error wrapping [ErrMarkerType]. Custom checks may call it, to add to
// it rather than replace it.
func DefaultDowntimeCheck[M, D any](_ context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) (D, bool, error) {
	var zero D
	cm, ok1 := c.Marker()
	dm, ok2 := d.Marker()
	now, dependency, err := timeMarkers("downtime", cm, dm, d)
	if err != nil {
		return zero, false, err
	}
	if !ok1 || !ok2 {
		return zero, false, nil // nothing to compare yet
	}
	diff := now.Sub(dependency)
	if diff <= d.threshold {
		return zero, false, nil
	}
	downtime, ok := any(diff).(D)
	if !ok {
		return zero, false, fmt.Errorf("ckpt: the default downtime check of dependency %q reports a time.Duration, not a %v: %w",
			d.name, reflect.TypeFor[D](), ErrMarkerType)
	}
	return downtime, true, nil
}

// DefaultRecoveryCheck is the recovery check of [NewDependency]: d has
// caught up once its marker is later than the checkpoint's, strictly. It
// needs [time.Time] markers and otherwise returns an error wrapping
// [ErrMarkerType].
func DefaultRecoveryCheck[M, D any](_ context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) (bool, error) {
	cm, ok1 := c.Marker()
	dm, ok2 := d.Marker()
	now, dependency, err := timeMarkers("recovery", cm, dm, d)
	if err != nil {
		return false, err
	}
	if !ok1 {
		return true, nil // the dependent has not pulsed: nothing to catch up with
	}
	return ok2 && dependency.After(now), nil
}

func timeMarkers[M, D any](check string, checkpoint, dependency M, d *Dependency[M, D]) (time.Time, time.Time, error) {
	c, ok1 := any(checkpoint).(time.Time)
	m, ok2 := any(dependency).(time.Time)
	if !ok1 || !ok2 {
		return time.Time{}, time.Time{}, fmt.Errorf("ckpt: expecting time.Time markers in Heartbeat and CheckPulse, or a custom %s check in dependency %q; got %T and %T: %w",
			check, d.name, checkpoint, dependency, ErrMarkerType)
	}
	return c, m, nil
}

// Name returns the dependency's name.
func (d *Dependency[M, D]) Name() string { return d.name }

// Threshold returns the downtime threshold of the default downtime check:
// [DefaultThreshold] unless [WithThreshold] set another.
func (d *Dependency[M, D]) Threshold() time.Duration { return d.threshold }

// State returns a copy of the dependency's checkpoint state: the
// dependent's [State] at the dependency's last heartbeat (or at the first
// pulse, before any heartbeat). It is nil before either. The original calls
// it checkpoint_state.
func (d *Dependency[M, D]) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state.Clone()
}

// Marker returns the marker of the dependency's last heartbeat (or the
// dependent's marker at the first pulse, before any heartbeat), and whether
// there is one. The original calls it checkpoint_marker.
func (d *Dependency[M, D]) Marker() (M, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.marker, d.hasMarker
}

// Down reports whether the dependency is down: its downtime check reported
// downtime at a pulse, and no heartbeat since has passed its recovery
// check. The original calls it is_down.
func (d *Dependency[M, D]) Down() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.down
}

// Downtime returns the last downtime the dependency's downtime check
// reported, and whether it has reported one. With a cache, it is stored
// (as JSON) and loaded with the rest.
func (d *Dependency[M, D]) Downtime() (D, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.downtime, d.hasDowntime
}

// DownState returns a copy of the dependent's [State] at the pulse that
// found the dependency down, the latest time it went down; nil if it never
// did. It is where reprocessing starts: the message of that pulse is the
// first handled with data too stale. It stays the same until the
// dependency goes down again, so a recovery callback can read it.
//
// [Dependency.State], the original's checkpoint_state, is overwritten by
// every heartbeat, also while the dependency is down, with the dependent's
// latest state; items already past the dependent's source when it was
// paused still pulse and move that state on. DownState does not move, so
// seeking back to it reprocesses those items too. This is an addition to
// the original, and is stored with the rest.
func (d *Dependency[M, D]) DownState() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.downState.Clone()
}

// String describes the dependency as the original's repr does, with its
// checkpoint state and marker, and whether it is down.
func (d *Dependency[M, D]) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.describe()
}

func (d *Dependency[M, D]) describe() string {
	marker := "none"
	if d.hasMarker {
		marker = fmt.Sprint(d.marker)
	}
	s := fmt.Sprintf("%s{checkpoint_state: %v, checkpoint_marker: %s", d.name, d.state, marker)
	if d.down {
		s += ", down"
	}
	return s + "}"
}
