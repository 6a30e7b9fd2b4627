package ckpt

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultThreshold is the threshold of a [Dependency] made without
// [WithThreshold].
const DefaultThreshold = 10 * time.Minute

// A DependencyOption configures a [Dependency].
type DependencyOption func(*depConfig)

type depConfig struct {
	threshold time.Duration
}

// WithThreshold sets the dependency's threshold: the default
// [DowntimeCheck] finds it down when the dependent's marker is more than
// threshold ahead of its own. Custom checks can read it with
// [Dependency.Threshold].
func WithThreshold(threshold time.Duration) DependencyOption {
	return func(c *depConfig) { c.threshold = threshold }
}

// A Dependency is a stream that the dependent of a [Checkpoint] must not
// outrun, such as the weather that activities are enriched with; see the
// package documentation. Its outputs heartbeat through a [HeartbeatSink]
// (see [Checkpoint.Heartbeat]). It keeps
// the dependent's [State] and its own marker at its last heartbeat, and
// whether it is down, by how much, and where the dependent was when it went
// down.
//
// Its name identifies it, in Heartbeat and in the cache, and must not change
// once state is stored. A Dependency belongs to one Checkpoint; its methods
// are safe for concurrent use.
type Dependency[M, D any] struct {
	name            string
	threshold       time.Duration
	downtimeCheck   DowntimeCheck[M, D]
	recoveryCheck   RecoveryCheck[M, D]
	defaultDowntime bool
	defaultRecovery bool
	owned           atomic.Bool  // taken by a Checkpoint
	downs           atomic.Int64 // times it went down, for the metrics
	recoveries      atomic.Int64 // times it recovered, for the metrics

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
// [time.Time] and downtimes [time.Duration].
type TimeDependency = Dependency[time.Time, time.Duration]

// NewDependency returns the dependency called name, with the default
// checks on event times, [DefaultDowntimeCheck] and [DefaultRecoveryCheck].
//
//	weather := ckpt.NewDependency("weather", ckpt.WithThreshold(time.Hour))
func NewDependency(name string, opts ...DependencyOption) *TimeDependency {
	return NewDependencyFunc[time.Time, time.Duration](name, nil, nil, opts...)
}

// NewDependencyFunc returns the dependency called name with the checks
// given, for markers of type M and downtimes of type D, such as sequence
// numbers and the gap between them. A nil check is the default one, which
// needs [time.Time] markers and [time.Duration] downtimes: with other types,
// [New] rejects the dependency with an error wrapping [ErrMarkerType].
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

// Threshold returns the dependency's threshold: [DefaultThreshold] unless
// [WithThreshold] set another.
func (d *Dependency[M, D]) Threshold() time.Duration { return d.threshold }

// State returns a copy of the dependent's [State] at the dependency's last
// heartbeat (or at the first pulse, before any heartbeat); nil before
// either.
func (d *Dependency[M, D]) State() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state.Clone()
}

// Marker returns the marker of the dependency's last heartbeat (or the
// dependent's at the first pulse, before any heartbeat), and whether there
// is one.
func (d *Dependency[M, D]) Marker() (M, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.marker, d.hasMarker
}

// Down reports whether the dependency is down: its [DowntimeCheck] reported
// a downtime at a pulse, and no heartbeat since has passed its
// [RecoveryCheck].
func (d *Dependency[M, D]) Down() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.down
}

// Downtime returns the last downtime the dependency's [DowntimeCheck]
// reported, and whether it has reported one.
func (d *Dependency[M, D]) Downtime() (D, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.downtime, d.hasDowntime
}

// DownState returns a copy of the dependent's [State] at the pulse that
// last found the dependency down; nil if none did. It is where reprocessing
// starts: the item of that pulse is the first handled with data too stale.
//
// Unlike [Dependency.State], which every heartbeat overwrites, DownState
// stays the same until the dependency goes down again, so a recovery
// callback can seek back to it, past the items that still pulsed after the
// dependent was paused.
func (d *Dependency[M, D]) DownState() State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.downState.Clone()
}

// String describes the dependency: its state and marker at its last
// heartbeat, and whether it is down.
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
