package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// A PolicySink is a sink under a policy: package onerror wraps a user's
// sink in one, and an app sends to it as the policy says (see policied).
// The app closes, and names in errors, the sink within.
type PolicySink[T any] struct {
	Sink   Sink[T]
	Policy *Policy[T]
}

// String names the sink within.
func (s *PolicySink[T]) String() string { return Describe(s.Sink) }

// Send sends v to the sink as the policy says, outside an app: retries wait
// until ctx is done, and a dead letter is waited for.
func (s *PolicySink[T]) Send(ctx context.Context, v T) error {
	p := &policied[T]{sink: s.Sink, p: s.Policy, wait: ctx, logger: slog.Default()}
	reported := make(chan error, 1)
	if err := p.SendAsync(ctx, v, func(err error) { reported <- err }); err != nil {
		return err
	}
	select {
	case err := <-reported:
		if errors.Is(err, errUndecided) {
			return context.Cause(ctx)
		}
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// underPolicy returns what the app closes, and takes as written to, for
// sink s: s, or the sink within a PolicySink and its dead-letter sink.
func underPolicy[T any](s Sink[T]) []any {
	ps, ok := s.(*PolicySink[T])
	if !ok {
		return []any{s}
	}
	if dl := ps.Policy.DeadLetter; dl != nil {
		return []any{ps.Sink, dl.Sink}
	}
	return []any{ps.Sink}
}

// policied is a PolicySink as an app sends to it: an AsyncSink, so that an
// output it skips or dead-letters is accepted when that is done. Retries
// apply to Send's error, or to SendAsync's when the sink is async (the
// output was not taken); an async sink's later report of a lost output
// goes straight to the policy's fate, since a retry then would run on the
// sink's reporting goroutine and out of order. A sink that takes runs
// (streamio.BatchSink) is sent its outputs one at a time.
type policied[T any] struct {
	sink    Sink[T]
	async   AsyncSink[T] // sink, when it is async
	p       *Policy[T]
	handler string          // whose outputs these are
	wait    context.Context // done when retries should stop waiting: the app drains
	logger  *slog.Logger
}

func newPolicied[T any](r *run, handler string, s *PolicySink[T]) *policied[T] {
	a, _ := s.Sink.(AsyncSink[T])
	return &policied[T]{sink: s.Sink, async: a, p: s.Policy, handler: handler, wait: r.stopCtx, logger: r.logger}
}

func (s *policied[T]) String() string { return Describe(s.sink) }

// Send is not called: the app sends with SendAsync.
func (s *policied[T]) Send(ctx context.Context, v T) error { return s.sink.Send(ctx, v) }

func (s *policied[T]) SendAsync(ctx context.Context, v T, done func(error)) error {
	send := func() error { return s.sink.Send(ctx, v) }
	if s.async != nil {
		reported := func(err error) {
			if err == nil || ctx.Err() != nil {
				done(err)
			} else if err := s.giveUp(ctx, v, err, 1, done); err != nil {
				done(err)
			}
		}
		send = func() error { return s.async.SendAsync(ctx, v, reported) }
	}
	err, calls, undecided := s.p.try(s.wait, send)
	switch {
	case err == nil:
		if s.async == nil {
			done(nil)
		}
		return nil
	case ctx.Err() != nil: // the app is aborting
		return err
	case undecided:
		s.logger.Warn("stream: a drain cut short the retries of an output; its input is left for the next run",
			"handler", s.handler, "sink", Describe(s.sink), "attempts", calls, "err", err)
		done(errUndecided)
		return nil
	}
	return s.giveUp(ctx, v, err, calls, done)
}

// giveUp carries out the policy's fate for v, which the sink failed with
// err after calls attempts: it calls done once the fate is carried out, or
// returns the error that stops the app.
func (s *policied[T]) giveUp(ctx context.Context, v T, err error, calls int, done func(error)) error {
	name := Describe(s.sink)
	switch {
	case s.p.Skipped != nil:
		s.p.Skipped.Add(1)
		s.logger.Warn("stream: skipped an output the sink failed on",
			"handler", s.handler, "sink", name, "attempts", calls, "err", err)
		done(nil)
		return nil
	case s.p.DeadLetter != nil:
		dl := s.p.DeadLetter
		failed := func(dlErr error) error {
			return fmt.Errorf("dead-lettering to %s failed: %w; the output had failed with: %w", Describe(dl.Sink), dlErr, err)
		}
		s.logger.Warn("stream: dead-lettering an output the sink failed on",
			"handler", s.handler, "sink", name, "to", Describe(dl.Sink), "attempts", calls, "err", err)
		sendErr := dl.Send(ctx, v, fmt.Errorf("sink %s: %w", name, err), s.handler, func(dlErr error) {
			if dlErr != nil {
				dlErr = failed(dlErr)
			}
			done(dlErr)
		})
		if sendErr != nil {
			return failed(sendErr)
		}
		return nil
	}
	if calls > 1 {
		return fmt.Errorf("%w (gave up after %d attempts)", err, calls)
	}
	return err
}
