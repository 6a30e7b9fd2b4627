package ckpt

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
)

// Errors that [Checkpoint.Heartbeat] returns, wrapped with the names
// involved. Test for them with errors.Is.
var (
	// ErrUnknownDependency means that the name given is not one of the
	// checkpoint's dependencies.
	ErrUnknownDependency = errors.New("no such dependency")
	// ErrDependencyNameNeeded means that no name was given, and the
	// checkpoint has several dependencies.
	ErrDependencyNameNeeded = errors.New("a dependency name is needed when a checkpoint has several dependencies")
)

// Latency is what [Checkpoint.Heartbeat] returns: whether the dependency
// is still late, to treat its late items differently (buffer them, drop
// them).
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

// Heartbeat records that the dependency called dependencyName has handled
// an item with marker; the name may be left out when the checkpoint has one
// dependency. Call it once the item's output is stored where the dependent
// reads it, as a [HeartbeatSink] does: a heartbeat can resume the
// dependent. A handler that stores nothing the dependent reads can call it
// itself. It keeps the
// dependent's current [State] and marker for the dependency, and if the
// dependency was down, runs its [RecoveryCheck]; once no dependency is down,
// it runs [Options.OnRecovery] and resumes the dependent.
//
// Heartbeat fails with an error wrapping [ErrUnknownDependency] or
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
			d.recoveries.Add(1)
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

// CheckPulse records that the dependent has handled an item with marker and
// state (typically its offset, see [PartitionOffset]; nil adds nothing).
// Call it from the dependent's handler. It merges state into the
// dependent's [State], and runs each dependency's [DowntimeCheck]; a
// dependency found down for the first time pauses the dependent and runs
// [Options.OnDowntime].
//
// CheckPulse returns a downtime and true while any dependency is down, and
// false when none is. It fails at once if the dependent is a stream that no
// handler reads (see [stream.Stream.Bound]). The downtime is that of the first dependency down, in
// the order given to [New]: what its check reported now, or, if it reports
// nothing now, what it reported last. CheckPulse fails with the error of a
// downtime check or callback, or of storing to the cache.
func (c *Checkpoint[M, D]) CheckPulse(ctx context.Context, marker M, state State) (downtime D, down bool, err error) {
	c.op.Lock()
	unlock := sync.OnceFunc(c.op.Unlock)
	defer unlock()
	if err := c.checkBound(); err != nil {
		return downtime, false, err
	}

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
			d.downs.Add(1)
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

	return downtime, down, errors.Join(checkErr, c.downtimeCallbacks(ctx, tickets, wentDown))
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

func (c *Checkpoint[M, D]) markerAttr() any {
	if m, ok := c.Marker(); ok {
		return m
	}
	return nil
}
