package ckpt

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultThreshold is the downtime threshold of a [Dependency] made without
// [WithThreshold]: ten minutes, as in the original.
const DefaultThreshold = 10 * time.Minute

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
