package ckpt

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

// A Pausable is what a [Checkpoint] pauses while a dependency is down: a
// [github.com/slipstream-go/slipstream/stream.Stream] of any item type.
type Pausable interface {
	Pause()
	Resume()
}

// A Checkpoint pauses a dependent stream while one of its dependencies is
// down, and resumes it once they have all recovered; see the package
// documentation. Markers are of type M and downtimes of type D.
//
// A Checkpoint is safe for concurrent use by the handlers of the dependent
// and of its dependencies: [Checkpoint.Heartbeat] and [Checkpoint.CheckPulse]
// run one at a time, checks included, and callbacks after them, one at a
// time.
type Checkpoint[M, D any] struct {
	name       string
	dependent  Pausable
	deps       []*Dependency[M, D]
	byName     map[string]*Dependency[M, D]
	onDowntime Callback[M, D]
	onRecovery Callback[M, D]
	cache      *kv.Cache[string, []byte]
	key        string // the start of its keys in the cache
	pause      bool
	notReady   bool // while paused: see Options.NotReadyWhilePaused
	markers    codec.Codec[M]
	logger     *slog.Logger

	op         sync.Mutex // held by Heartbeat and CheckPulse, checks included
	recovering int        // recovery callbacks to run before resuming; under op
	bound      bool       // the dependent was found read by a handler; under op

	mu        sync.Mutex // guards what follows
	state     State
	marker    M
	hasMarker bool

	turns turns // the order of callbacks

	metricsOnce sync.Once
	collector   *collector // its metrics (see Instrument)
}

// A TimeCheckpoint is a [Checkpoint] on event times: markers are
// [time.Time] and downtimes [time.Duration].
type TimeCheckpoint = Checkpoint[time.Time, time.Duration]

// New returns the checkpoint called name, which pauses dependent while any
// of dependencies is down. Pass the very stream the dependent's handler
// reads: each stream.From makes a new stream, and pausing another one pauses
// nothing the handler reads. A nil dependent pauses nothing; a nil opts means
// the default [Options].
//
//	activity := stream.From(activityTopic)
//	weather := ckpt.NewDependency("weather")
//	c, err := ckpt.New("activity", activity, []*ckpt.TimeDependency{weather},
//		&ckpt.TimeOptions{Cache: cache, OnRecovery: seekBack})
//
// With [Options.Cache], New loads what the checkpoint stored there, and
// pauses the dependent if a dependency was down when the last process
// stopped.
//
// New fails if a dependency is nil, unnamed, named twice, or already part
// of another checkpoint; if one has a default check but M is not
// [time.Time] or D not [time.Duration] (the error wraps [ErrMarkerType]);
// or if the cache cannot be read.
func New[M, D any](name string, dependent Pausable, dependencies []*Dependency[M, D], opts *Options[M, D]) (*Checkpoint[M, D], error) {
	if opts == nil {
		opts = &Options[M, D]{}
	}
	fail := func(err error) (*Checkpoint[M, D], error) {
		return nil, fmt.Errorf("ckpt: checkpoint %q: %w", name, err)
	}
	if name == "" {
		return nil, errors.New("ckpt: a checkpoint needs a name")
	}
	if len(dependencies) == 0 {
		return fail(errors.New("no dependencies"))
	}
	c := &Checkpoint[M, D]{
		name:       name,
		dependent:  dependent,
		byName:     make(map[string]*Dependency[M, D], len(dependencies)),
		onDowntime: opts.OnDowntime,
		onRecovery: opts.OnRecovery,
		cache:      opts.Cache,
		key:        cmp.Or(opts.KeyPrefix, DefaultKeyPrefix) + "_" + name + "_",
		pause:      !opts.NoPause,
		notReady:   opts.NotReadyWhilePaused,
		markers:    opts.MarkerCodec,
		logger:     opts.Logger,
		state:      State{},
	}
	if c.markers == nil {
		c.markers = codec.JSON[M]()
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	for i, d := range dependencies {
		switch {
		case d == nil:
			return fail(fmt.Errorf("dependency %d is nil", i))
		case d.name == "":
			return fail(fmt.Errorf("dependency %d has no name", i))
		case c.byName[d.name] != nil:
			return fail(fmt.Errorf("two dependencies are called %q", d.name))
		}
		if err := d.checkTypes(); err != nil {
			return fail(err)
		}
		c.byName[d.name] = d
		c.deps = append(c.deps, d)
	}
	for i, d := range c.deps {
		if !d.owned.CompareAndSwap(false, true) {
			for _, taken := range c.deps[:i] {
				taken.owned.Store(false)
			}
			return fail(fmt.Errorf("dependency %q is part of another checkpoint already", d.name))
		}
	}
	if err := c.load(); err != nil {
		for _, d := range c.deps {
			d.owned.Store(false)
		}
		return fail(err)
	}
	if c.anyDown() {
		c.logger.Info("ckpt: a dependency was down when the checkpoint was stored: pausing the dependent",
			"checkpoint", c.name, "down", c.downNames())
		c.pauseDependent()
	}
	return c, nil
}

func (c *Checkpoint[M, D]) downNames() []string {
	var names []string
	for _, d := range c.deps {
		if d.Down() {
			names = append(names, d.name)
		}
	}
	return names
}

func (c *Checkpoint[M, D]) anyDown() bool {
	return slices.ContainsFunc(c.deps, (*Dependency[M, D]).Down)
}

// checkBound fails if the dependent is a stream that nothing reads, so that
// pausing it would pause nothing: its source was bound instead, through a
// stream of its own.
func (c *Checkpoint[M, D]) checkBound() error {
	if c.bound || !c.pause || c.dependent == nil {
		return nil
	}
	if b, ok := c.dependent.(interface{ Bound() bool }); ok && !b.Bound() {
		return fmt.Errorf("ckpt: checkpoint %q: its dependent stream %v is read by no handler, so pausing it would pause nothing: bind that very stream with stream.Handle, not its source", c.name, c.dependent)
	}
	c.bound = true
	return nil
}

func (c *Checkpoint[M, D]) pauseDependent() {
	if c.pause && c.dependent != nil {
		c.dependent.Pause()
	}
}

func (c *Checkpoint[M, D]) resumeDependent() {
	if c.pause && c.dependent != nil {
		c.dependent.Resume()
	}
}

// Name returns the checkpoint's name.
func (c *Checkpoint[M, D]) Name() string { return c.name }

// State returns a copy of the dependent's [State]: every State given to
// [Checkpoint.CheckPulse], merged.
func (c *Checkpoint[M, D]) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Clone()
}

// Marker returns the dependent's marker, from its last pulse, and whether
// it has pulsed.
func (c *Checkpoint[M, D]) Marker() (M, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.marker, c.hasMarker
}

// Dependencies returns the checkpoint's dependencies, in the order given
// to [New].
func (c *Checkpoint[M, D]) Dependencies() []*Dependency[M, D] { return slices.Clone(c.deps) }

// Dependency returns the dependency called name, or nil if the checkpoint
// has none of that name.
func (c *Checkpoint[M, D]) Dependency(name string) *Dependency[M, D] { return c.byName[name] }

// Down reports whether any dependency is down.
func (c *Checkpoint[M, D]) Down() bool { return c.anyDown() }

// String describes the checkpoint: the dependent's state and marker, and
// each dependency's.
func (c *Checkpoint[M, D]) String() string {
	c.mu.Lock()
	marker := "none"
	if c.hasMarker {
		marker = fmt.Sprint(c.marker)
	}
	s := fmt.Sprintf("%s{state: %v, state_marker: %s, checkpoints: [", c.name, c.state, marker)
	c.mu.Unlock()
	for i, d := range c.deps {
		if i > 0 {
			s += " "
		}
		s += d.String()
	}
	return s + "]}"
}
