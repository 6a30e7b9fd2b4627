package ckpt

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// ErrMarkerType is what the default checks report when the markers are not
// [time.Time] or the downtimes not [time.Duration]: other types need custom
// checks. Test for it with errors.Is.
var ErrMarkerType = errors.New("the default checks compare time.Time markers and report time.Duration downtimes")

// A DowntimeCheck measures, at each [Checkpoint.CheckPulse], how far
// dependency d of checkpoint c is behind: it returns the downtime and true
// when d is down, and false when it is not. An error fails the pulse.
//
// A check reads the markers and states of c and d; it must not call
// [Checkpoint.Heartbeat] or [Checkpoint.CheckPulse], which wait for it.
type DowntimeCheck[M, D any] func(ctx context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) (downtime D, down bool, err error)

// A RecoveryCheck decides, at each [Checkpoint.Heartbeat] of dependency d
// while d is down, whether d has caught up with the dependent. The rules of
// [DowntimeCheck] apply.
type RecoveryCheck[M, D any] func(ctx context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) (recovered bool, err error)

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
// when the dependent's marker is more than [Dependency.Threshold] after d's,
// strictly, and the downtime is the difference. With other markers than
// [time.Time] or downtimes than [time.Duration], it returns an error wrapping
// [ErrMarkerType]. A custom check may call it, to add to it.
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
// caught up once its marker is later than the dependent's, strictly. With
// other markers than [time.Time], it returns an error wrapping
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
