package ckpt

import (
	"context"
	"errors"
	"fmt"
)

// A Callback runs when dependency d of checkpoint c goes down
// ([Options.OnDowntime]) or when the last dependency down recovers
// ([Options.OnRecovery]), in the goroutine and with the context of the
// [Checkpoint.CheckPulse] or [Checkpoint.Heartbeat] that made the
// transition, which returns its error. Callbacks run one at a time, in the
// order of their transitions. A callback may read c and d, and seek a topic,
// but must not call Heartbeat or CheckPulse, which would wait for it.
type Callback[M, D any] func(ctx context.Context, c *Checkpoint[M, D], d *Dependency[M, D]) error

// downtimeCallbacks runs the downtime callback of each dependency that
// went down, in the turn of its ticket.
func (c *Checkpoint[M, D]) downtimeCallbacks(ctx context.Context, tickets []uint64, wentDown []*Dependency[M, D]) error {
	var errs []error
	for i, ticket := range tickets {
		d := wentDown[i]
		errs = append(errs, c.inTurn(ctx, ticket, func() error {
			if err := c.onDowntime(ctx, c, d); err != nil {
				return fmt.Errorf("ckpt: checkpoint %q: downtime callback of dependency %q: %w", c.name, d.name, err)
			}
			return nil
		}))
	}
	return errors.Join(errs...)
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

// inTurn runs f once it is ticket's turn.
func (c *Checkpoint[M, D]) inTurn(ctx context.Context, ticket uint64, f func() error) error {
	if err := c.turns.wait(ctx, ticket); err != nil {
		return fmt.Errorf("ckpt: checkpoint %q: waiting to run a callback: %w", c.name, err)
	}
	defer c.turns.done(ticket)
	return f()
}
