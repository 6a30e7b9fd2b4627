package flow

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// A Policy is what a handler or a sink does with an item it fails on:
// retry it, then skip it, dead-letter it or (neither) stop the app.
// Package onerror makes them; see its doc for what each means to a user.
type Policy[T any] struct {
	Retry      *Backoff       // nil: no retries
	Skipped    *atomic.Int64  // non-nil: skip the item, counted here
	DeadLetter *DeadLetter[T] // non-nil: send the item there
}

// A Backoff paces and bounds the retries of a failed call; see
// onerror.Backoff. Zero bounds are no bound.
type Backoff struct {
	Attempts     uint
	MaxElapsed   time.Duration
	Initial, Max time.Duration
}

// A DeadLetter is where a policy sends the items it gives up on.
type DeadLetter[T any] struct {
	Sink any // the user's sink: named in errors, closed with the app
	// Send hands v, which failed with err in handler, to the sink, and
	// calls done once the sink has accepted it (nil) or lost it, as an
	// AsyncSink's done. Its own error means v was not taken.
	Send func(ctx context.Context, v T, err error, handler string, done func(error)) error
}

// errUndecided is what a sink under a policy reports to the app for an
// output whose retries a drain cut short: the output is neither accepted
// nor a failure of the app, and its input is never acknowledged.
var errUndecided = errors.New("stream: retry cut short by a drain")

// try calls f until it succeeds or p's retries run out, with exponential
// backoff and jitter between calls, and returns f's last error and how many
// times it was called. Waiting ends when wait is done (the app drains or
// aborts): undecided then says that the retries were cut short. A call that
// succeeds at once costs nothing more than the call.
func (p *Policy[T]) try(wait context.Context, f func() error) (last error, calls int, undecided bool) {
	last = f()
	if last == nil || p.Retry == nil {
		return unwrapPermanent(last), 1, false
	}
	calls = 1
	b, first := p.Retry, true
	_, err := backoff.Retry(wait, func() (struct{}, error) {
		if first { // the call made above
			first = false
		} else {
			last = f()
			calls++
		}
		return struct{}{}, last
	},
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     b.Initial,
			RandomizationFactor: backoff.DefaultRandomizationFactor,
			Multiplier:          backoff.DefaultMultiplier,
			MaxInterval:         b.Max,
		}),
		backoff.WithMaxTries(b.Attempts),
		backoff.WithMaxElapsedTime(b.MaxElapsed))
	// Retry returns the cause of wait's end, not f's error, when that end
	// stopped it: then the retries were cut short.
	cut := err != nil && wait.Err() != nil && err == context.Cause(wait)
	return unwrapPermanent(last), calls, cut
}

// unwrapPermanent returns the error that err marks as not worth retrying
// (backoff.Permanent), or err.
func unwrapPermanent(err error) error {
	if p, ok := err.(*backoff.PermanentError); ok {
		return p.Err
	}
	return err
}

// policyPusher is handlerPusher for a handler under a policy: each input is
// tried as the policy says, and the outputs of an attempt are held until
// it succeeds, so that a retried input's outputs are sent once and a
// skipped or dead-lettered input has none.
func policyPusher[T, U any](r *run, h Handler[T, U], out *emitter[U]) pusher[T] {
	p := h.policy
	var (
		cur  T   // the input being tried
		held []U // the outputs of its attempt
	)
	m := r.handlerMetrics(h.name)
	hold := func(u U) { held = append(held, u) }
	attempt := func() error { // made once: a closure per input would cost an allocation
		clear(held)
		held = held[:0]
		return h.fn(r.ctx, cur, hold)
	}
	return pusher[T]{idle: out.flush, push: func(v T, t *ack.Token) error {
		cur = v
		err, calls, undecided := p.try(r.stopCtx, attempt)
		var zero T
		cur = zero
		if err == nil {
			out.token = t
			for i := range held {
				out.sendAll(&held[i])
			}
			clear(held)
			held = held[:0]
			if out.err != nil {
				return fmt.Errorf("handler %s: %w", h.name, out.err)
			}
			t.Done()
			return nil
		}
		switch {
		case r.aborted.Load():
			return errAborted
		case undecided: // never acknowledged: the next run reads it again
			r.logger.Warn("stream: a drain cut short the retries of an input; it is left for the next run",
				"handler", h.name, "attempts", calls, "err", err)
			return nil
		case p.Skipped != nil:
			p.Skipped.Add(1)
			m.skipped()
			r.logger.Warn("stream: skipped an input the handler failed on",
				"handler", h.name, "attempts", calls, "err", err)
			t.Done()
			return nil
		case p.DeadLetter != nil:
			m.deadLettered()
			return p.deadLetter(r, &out.inflight, h.name, v, err, calls, t)
		}
		if calls > 1 {
			return fmt.Errorf("handler %s: %w (gave up after %d attempts)", h.name, err, calls)
		}
		return fmt.Errorf("handler %s: %w", h.name, err)
	}}
}

// deadLetter sends v, which failed handler with err, to p's dead-letter
// sink. t, v's token, is done once the sink has accepted v; the app's wait
// for its async outputs, f, waits for that too.
func (p *Policy[T]) deadLetter(r *run, f *inflight, handler string, v T, err error, calls int, t *ack.Token) error {
	dl := p.DeadLetter
	failed := func(dlErr error) error {
		return fmt.Errorf("handler %s: dead-lettering to %s failed: %w; the input had failed with: %w",
			handler, Describe(dl.Sink), dlErr, err)
	}
	r.logger.Warn("stream: dead-lettering an input the handler failed on",
		"handler", handler, "to", Describe(dl.Sink), "attempts", calls, "err", err)
	f.add(1)
	t.Derive(1)
	sendErr := dl.Send(r.ctx, v, err, handler, func(dlErr error) {
		if dlErr != nil {
			r.fail(failed(dlErr))
		} else {
			t.Done()
		}
		f.done()
	})
	if sendErr != nil { // not taken: nothing will call done
		f.done()
		return failed(sendErr)
	}
	t.Done() // the input's own share
	return nil
}
