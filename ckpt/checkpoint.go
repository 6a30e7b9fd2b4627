package ckpt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

// DefaultKeyPrefix is the prefix of a checkpoint's keys in its cache unless
// [WithKeyPrefix] sets another: "_", as in the original.
const DefaultKeyPrefix = "_"

// Errors that [Checkpoint.Heartbeat] returns, wrapped with the names
// involved. Test for them with errors.Is.
var (
	// ErrUnknownDependency: the name given is not one of the checkpoint's
	// dependencies.
	ErrUnknownDependency = errors.New("no such dependency")
	// ErrDependencyNameNeeded: no name was given, and the checkpoint has
	// several dependencies.
	ErrDependencyNameNeeded = errors.New("a dependency name is needed when a checkpoint has several dependencies")
)

// A Pausable is what a [Checkpoint] pauses while a dependency is down: a
// [github.com/slipstream-go/slipstream/stream.Stream] of any item type.
// Pausing a stream pauses the sources it reads; a Kafka topic pauses its
// partitions and keeps polling, so it stays in its consumer group however
// long the downtime lasts.
type Pausable interface {
	Pause()
	Resume()
}

// A Callback runs when a dependency d of checkpoint c goes down (see
// [OnDowntime]) or when the last dependency down recovers (see
// [OnRecovery]). It runs in the goroutine of the [Checkpoint.CheckPulse]
// or [Checkpoint.Heartbeat] that made the transition, with its context,
// and its error is returned from there. Callbacks run one at a time, in
// the order of their transitions. A callback may read c and d, and do
// anything else, such as seeking a topic, but must not call
// [Checkpoint.Heartbeat] or [Checkpoint.CheckPulse], which would wait for
// it to end.
type Callback[M, D any] func(ctx context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) error

// Latency is what [Checkpoint.Heartbeat] returns, to handle late data
// differently (buffer it, drop it): the original's {is_late,
// dependent_marker, dependency_marker}.
type Latency[M any] struct {
	// IsLate reports whether the dependency is still down after the
	// heartbeat: it has not caught up with the dependent yet.
	IsLate bool
	// DependentMarker is the dependent's marker, from its last pulse; the
	// zero M if it has not pulsed yet.
	DependentMarker M
	// DependencyMarker is the marker of the heartbeat.
	DependencyMarker M
}

// An Option configures a [Checkpoint].
type Option func(*config)

type config struct {
	cache      *kv.Cache[string, []byte]
	prefix     string
	pause      bool
	onDowntime any
	onRecovery any
	markers    any
	logger     *slog.Logger
}

// WithCache makes the checkpoint store its state and marker, and each
// dependency's state, marker and downtime, in cache on every change, and
// load them when it is made, so that a restarted process goes on where the
// last one stopped, in the middle of a downtime too. Values are JSON (the
// markers: see [WithMarkerCodec]); several checkpoints can share a cache
// if their names differ.
//
//	cache, err := kv.Open("state/checkpoints", codec.StringKey(), codec.Bytes(), &kv.Options{Compaction: kv.Level})
//
// Open it with level compaction, as here: the default FIFO compaction drops
// the oldest files once the cache outgrows its size window, and with them
// the keys of a dependency that has not sent a heartbeat for a while.
func WithCache(cache *kv.Cache[string, []byte]) Option {
	return func(c *config) { c.cache = cache }
}

// WithKeyPrefix sets the prefix of the checkpoint's keys in its cache; the
// default is [DefaultKeyPrefix]. As in the original, checkpoint "activity"
// with dependency "weather" uses the keys
//
//	__activity__state
//	__activity__state_marker
//	__activity_weather_checkpoint_state
//	__activity_weather_checkpoint_marker
//
// and, additions to the original's, __activity_weather_is_down,
// __activity_weather_down_state and __activity_weather_downtime.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithPauseDependent sets whether the checkpoint pauses its dependent while
// a dependency is down; it does by default. Without pausing, the checks
// and callbacks still run, and CheckPulse still reports downtime.
func WithPauseDependent(pause bool) Option {
	return func(c *config) { c.pause = pause }
}

// OnDowntime sets the callback that runs each time a dependency goes down:
// once per dependency and downtime, after the dependent is paused. Its
// types must be the checkpoint's, or [New] fails.
//
//	ckpt.OnDowntime(func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
//		downtime, _ := d.Downtime()
//		log.Printf("%s is down: %v behind", d.Name(), downtime)
//		return nil
//	})
func OnDowntime[M, D any](f Callback[M, D]) Option {
	return func(c *config) { c.onDowntime = f }
}

// OnRecovery sets the callback that runs each time the last dependency
// down recovers: once per downtime of the checkpoint, with the dependency
// whose heartbeat ended it. It runs before the dependent resumes, so that
// a seek it makes moves the dependent before it reads on:
//
//	ckpt.OnRecovery(func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
//		return activity.Seek(ctx, kafka.PerPartition(d.DownState().Offsets()))
//	})
//
// Its types must be the checkpoint's, or [New] fails. The original resumes
// first and then runs the callback, so that messages read in between are
// handled before the seek, and again after it.
func OnRecovery[M, D any](f Callback[M, D]) Option {
	return func(c *config) { c.onRecovery = f }
}

// WithMarkerCodec sets how markers are stored in the cache: the default is
// [codec.JSON]. Its type must be the checkpoint's marker type, or [New]
// fails.
func WithMarkerCodec[M any](markers codec.Codec[M]) Option {
	return func(c *config) { c.markers = markers }
}

// WithLogger sets the logger that reports downtimes and recoveries; the
// default is [slog.Default].
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// A Checkpoint ties one dependent stream to the dependency streams it must
// not outrun, comparing markers (event times by default): the dependent's
// handler calls [Checkpoint.CheckPulse] with each item's marker, each
// dependency's handler calls [Checkpoint.Heartbeat] with each of its
// items' markers. When a dependency falls behind by more than its
// threshold, the checkpoint pauses the dependent, until the dependency has
// caught up. See the package documentation.
//
// Markers are of type M and downtimes of type D: a [TimeCheckpoint] has
// [time.Time] markers and [time.Duration] downtimes; other types need
// dependencies with custom checks ([NewDependencyFunc]).
//
// A Checkpoint is safe for concurrent use: the two handlers call it from
// different goroutines. Heartbeat and CheckPulse run one at a time,
// checks included; callbacks run after, one at a time (see [Callback]).
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
	markers    codec.Codec[M]
	logger     *slog.Logger

	op         sync.Mutex // held by Heartbeat and CheckPulse, checks included
	recovering int        // recovery callbacks to run before resuming; under op

	mu        sync.Mutex // guards what follows
	state     State
	marker    M
	hasMarker bool

	turns turns // the order of callbacks
}

// A TimeCheckpoint is a [Checkpoint] on event times: markers are
// [time.Time] and downtimes [time.Duration].
type TimeCheckpoint = Checkpoint[time.Time, time.Duration]

// New returns the checkpoint called name, which pauses dependent while any
// of dependencies is down, and resumes it once they have all recovered.
// Pass the very stream the dependent's handler reads: each stream.From
// makes a new stream, and pausing another one pauses nothing the handler
// reads. A nil dependent is allowed: nothing is paused, the rest works.
//
//	activity := stream.From(activityTopic)
//	weather := ckpt.NewDependency("weather")
//	c, err := ckpt.New("activity", activity, []*ckpt.TimeDependency{weather},
//		ckpt.WithCache(cache), ckpt.OnRecovery(seekBack))
//
// With a cache (see [WithCache]), New loads what the checkpoint stored
// there; if a dependency was down when the last process stopped, it is
// down still, and New pauses the dependent.
//
// New fails if a dependency is nil, unnamed, named twice, or already part
// of another checkpoint; if one has a default check but M is not
// [time.Time] or D not [time.Duration] (the error wraps [ErrMarkerType]);
// if an option's types are not the checkpoint's; or if the cache cannot be
// read.
func New[M, D any](name string, dependent Pausable, dependencies []*Dependency[M, D], opts ...Option) (*Checkpoint[M, D], error) {
	cfg := config{prefix: DefaultKeyPrefix, pause: true}
	for _, o := range opts {
		o(&cfg)
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
		name:      name,
		dependent: dependent,
		byName:    make(map[string]*Dependency[M, D], len(dependencies)),
		cache:     cfg.cache,
		key:       cfg.prefix + "_" + name + "_",
		pause:     cfg.pause,
		markers:   codec.JSON[M](),
		logger:    cfg.logger,
		state:     State{},
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
	var ok bool
	if cfg.onDowntime != nil {
		if c.onDowntime, ok = cfg.onDowntime.(Callback[M, D]); !ok {
			return fail(typeMismatch[M, D]("OnDowntime", cfg.onDowntime))
		}
	}
	if cfg.onRecovery != nil {
		if c.onRecovery, ok = cfg.onRecovery.(Callback[M, D]); !ok {
			return fail(typeMismatch[M, D]("OnRecovery", cfg.onRecovery))
		}
	}
	if cfg.markers != nil {
		if c.markers, ok = cfg.markers.(codec.Codec[M]); !ok {
			return fail(fmt.Errorf("WithMarkerCodec got a %T, but the markers are %v", cfg.markers, reflect.TypeFor[M]()))
		}
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

func typeMismatch[M, D any](option string, f any) error {
	return fmt.Errorf("%s got a %T, but the checkpoint's callbacks are ckpt.Callback[%v, %v]",
		option, f, reflect.TypeFor[M](), reflect.TypeFor[D]())
}

// Heartbeat records that the dependency called dependencyName has handled
// an item with marker (typically its event time). Call it from the
// dependency's handler; the name may be left out when the checkpoint has
// one dependency. It stores the dependent's current [State] and marker as
// the dependency's checkpoint. If the dependency was down, its recovery
// check runs; once no dependency is down any longer, the recovery
// callback runs ([OnRecovery]) and the dependent resumes.
//
// The [Latency] says whether the dependency is still late. Heartbeat
// fails with an error wrapping [ErrUnknownDependency] or
// [ErrDependencyNameNeeded] for a wrong or missing name; with the error of
// the recovery check or callback, or of storing to the cache.
func (c *Checkpoint[M, D]) Heartbeat(ctx context.Context, marker M, dependencyName ...string) (Latency[M], error) {
	d, err := c.pick(dependencyName)
	if err != nil {
		return Latency[M]{}, err
	}
	c.op.Lock()
	unlock := sync.OnceFunc(c.op.Unlock)
	defer unlock()

	state := c.State()
	d.mu.Lock()
	d.state, d.marker, d.hasMarker = state, marker, true
	wasDown := d.down
	d.mu.Unlock()
	b := c.batch()
	if err := c.putCheckpoint(b, d, state, marker); err != nil {
		return Latency[M]{}, err
	}

	var checkErr error
	recovered := false
	if wasDown {
		ok, err := d.recoveryCheck(ctx, c, d)
		switch {
		case err != nil:
			checkErr = fmt.Errorf("ckpt: checkpoint %q: recovery check of dependency %q: %w", c.name, d.name, err)
		case ok:
			d.mu.Lock()
			d.down = false
			d.mu.Unlock()
			c.putBool(b, c.depKey(d, isDownName), false)
			recovered = !c.anyDown()
		}
	}
	if err := c.commit(b); err != nil {
		return Latency[M]{}, errors.Join(checkErr, err)
	}
	if wasDown && !d.Down() {
		c.logger.Info("ckpt: dependency recovered", "checkpoint", c.name, "dependency", d.name,
			"marker", marker, "dependent", c.markerAttr())
	}
	var ticket uint64
	if recovered {
		if c.onRecovery != nil {
			c.recovering++
			ticket = c.turns.ticket()
		} else if c.recovering == 0 {
			c.resumeDependent()
		}
	}
	dependent, _ := c.Marker()
	latency := Latency[M]{IsLate: d.Down(), DependentMarker: dependent, DependencyMarker: marker}
	unlock()

	if recovered && c.onRecovery != nil {
		err = c.recover(ctx, ticket, d)
	}
	return latency, errors.Join(checkErr, err)
}

// recover runs the recovery callback in its turn, then resumes the
// dependent unless a dependency went down meanwhile or another recovery
// callback is still to run. It resumes even if the callback fails, rather
// than leave the dependent paused for good.
func (c *Checkpoint[M, D]) recover(ctx context.Context, ticket uint64, d *Dependency[M, D]) error {
	err := c.inTurn(ctx, ticket, func() error {
		if err := c.onRecovery(ctx, c, d); err != nil {
			return fmt.Errorf("ckpt: checkpoint %q: recovery callback after dependency %q: %w", c.name, d.name, err)
		}
		return nil
	})
	c.op.Lock()
	defer c.op.Unlock()
	c.recovering--
	if c.recovering == 0 && !c.anyDown() {
		c.resumeDependent()
	}
	return err
}

// CheckPulse records that the dependent has handled an item with marker
// (typically its event time) and state (typically its offset: see
// [PartitionOffset]; nil adds nothing). Call it from the dependent's
// handler. It merges state into the checkpoint's [State], sets the
// checkpoint's marker, and then, for each dependency: a dependency that has
// no marker yet (no heartbeat so far) takes the current state and marker;
// then its downtime check runs. A dependency whose check reports downtime
// is down: the first time, the dependent is paused (unless
// [WithPauseDependent] turned that off) and the downtime callback runs
// ([OnDowntime]).
//
// CheckPulse returns the downtime and true while any dependency is down,
// and false when none is. The downtime is that of the first dependency
// down, in the order given to [New]: what its check reported now, or, if
// it is down still but its check reports nothing now, what it reported
// last. (The original returns the last dependency's check, so it can
// report nothing while another is down; and it runs the downtime callback
// at every late pulse, not once per downtime.)
//
// It fails with the error of a downtime check or callback, or of storing
// to the cache.
func (c *Checkpoint[M, D]) CheckPulse(ctx context.Context, marker M, state State) (downtime D, down bool, err error) {
	c.op.Lock()
	unlock := sync.OnceFunc(c.op.Unlock)
	defer unlock()

	c.mu.Lock()
	maps.Copy(c.state, state)
	c.marker, c.hasMarker = marker, true
	current := c.state.Clone()
	c.mu.Unlock()
	b := c.batch()
	c.putState(b, c.key+"_"+stateName, current)
	if err := c.putMarker(b, c.key+"_"+stateMarkerName, marker); err != nil {
		return downtime, false, err
	}

	var (
		wentDown []*Dependency[M, D]
		checkErr error
	)
	for _, d := range c.deps {
		d.mu.Lock()
		initial := !d.hasMarker
		if initial {
			d.state, d.marker, d.hasMarker = current.Clone(), marker, true
		}
		d.mu.Unlock()
		if initial {
			if err := c.putCheckpoint(b, d, current, marker); err != nil {
				return downtime, false, err
			}
		}

		measured, late, err := d.downtimeCheck(ctx, c, d)
		if err != nil {
			checkErr = fmt.Errorf("ckpt: checkpoint %q: downtime check of dependency %q: %w", c.name, d.name, err)
			break
		}
		d.mu.Lock()
		newly := late && !d.down
		if late {
			d.downtime, d.hasDowntime = measured, true
		}
		if newly {
			d.down, d.downState = true, current.Clone()
		}
		isDown, last := d.down, d.downtime
		d.mu.Unlock()
		if late {
			c.putDowntime(b, d, measured)
		}
		if newly {
			c.putBool(b, c.depKey(d, isDownName), true)
			c.putState(b, c.depKey(d, downStateName), current)
			c.logger.Info("ckpt: downtime of dependency detected", "checkpoint", c.name, "dependency", d.name,
				"downtime", measured, "pause", c.pause && c.dependent != nil)
			c.pauseDependent()
			wentDown = append(wentDown, d)
		}
		if isDown && !down {
			downtime, down = last, true
		}
	}
	if err := c.commit(b); err != nil {
		return downtime, down, errors.Join(checkErr, err)
	}
	var tickets []uint64
	if c.onDowntime != nil {
		for range wentDown {
			tickets = append(tickets, c.turns.ticket())
		}
	}
	unlock()

	errs := []error{checkErr}
	for i, ticket := range tickets {
		d := wentDown[i]
		errs = append(errs, c.inTurn(ctx, ticket, func() error {
			if err := c.onDowntime(ctx, c, d); err != nil {
				return fmt.Errorf("ckpt: checkpoint %q: downtime callback of dependency %q: %w", c.name, d.name, err)
			}
			return nil
		}))
	}
	return downtime, down, errors.Join(errs...)
}

// inTurn runs f once it is ticket's turn.
func (c *Checkpoint[M, D]) inTurn(ctx context.Context, ticket uint64, f func() error) error {
	if err := c.turns.wait(ctx, ticket); err != nil {
		return fmt.Errorf("ckpt: checkpoint %q: waiting to run a callback: %w", c.name, err)
	}
	defer c.turns.done(ticket)
	return f()
}

// pick returns the dependency a heartbeat is for.
func (c *Checkpoint[M, D]) pick(names []string) (*Dependency[M, D], error) {
	switch {
	case len(names) > 1:
		return nil, fmt.Errorf("ckpt: checkpoint %q: Heartbeat takes one dependency name, got %q", c.name, names)
	case len(names) == 1:
		if d := c.byName[names[0]]; d != nil {
			return d, nil
		}
		return nil, fmt.Errorf("ckpt: checkpoint %q: %w %q; its dependencies are %s", c.name, ErrUnknownDependency, names[0], c.depNames())
	case len(c.deps) == 1:
		return c.deps[0], nil
	default:
		return nil, fmt.Errorf("ckpt: checkpoint %q: %w: name one of %s", c.name, ErrDependencyNameNeeded, c.depNames())
	}
}

func (c *Checkpoint[M, D]) depNames() string {
	names := make([]string, len(c.deps))
	for i, d := range c.deps {
		names[i] = fmt.Sprintf("%q", d.name)
	}
	return strings.Join(names, ", ")
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

func (c *Checkpoint[M, D]) markerAttr() any {
	if m, ok := c.Marker(); ok {
		return m
	}
	return nil
}

// Name returns the checkpoint's name.
func (c *Checkpoint[M, D]) Name() string { return c.name }

// State returns a copy of the checkpoint's state: every [State] given to
// [Checkpoint.CheckPulse], merged.
func (c *Checkpoint[M, D]) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Clone()
}

// Marker returns the marker of the dependent's last pulse, and whether it
// has pulsed. The original calls it state_marker.
func (c *Checkpoint[M, D]) Marker() (M, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.marker, c.hasMarker
}

// Dependencies returns the checkpoint's dependencies, in the order given
// to [New].
func (c *Checkpoint[M, D]) Dependencies() []*Dependency[M, D] { return slices.Clone(c.deps) }

// Dependency returns the dependency called name, or nil if the checkpoint
// has none of that name: the original's checkpoint[name].
func (c *Checkpoint[M, D]) Dependency(name string) *Dependency[M, D] { return c.byName[name] }

// Down reports whether any dependency is down.
func (c *Checkpoint[M, D]) Down() bool { return c.anyDown() }

// String describes the checkpoint as the original's repr does: its state
// and marker, and each dependency's checkpoint.
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
