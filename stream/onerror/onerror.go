// Package onerror gives a handler, or a sink, a policy for the items it
// fails on, where without one the first error stops the app: retry with
// exponential backoff and jitter, then skip the item (counted and logged),
// send it to a dead-letter sink, or stop the app as before.
//
//	enrich := stream.FuncErr(lookup)
//	enrich = onerror.Retry(enrich, onerror.Backoff{Attempts: 5})
//	enrich = onerror.DeadLetter(enrich, dlq) // or onerror.Skip(enrich)
//	stream.Handle(app, orders, enrich, out)
//
// [Retry] alone retries and then stops the app; [Skip] and [DeadLetter]
// alone give up at the first failure. Each returns a copy of the handler
// with the policy so far and one more rule; the last of Skip and
// DeadLetter wins.
//
// # Delivery
//
// An input's fate is decided before its offset can be committed: it is
// acknowledged once its outputs are accepted (it succeeded), once its skip
// is counted, or once the dead-letter sink has accepted it (a Kafka topic:
// on the broker's acknowledgement). A dead-letter sink that fails stops the
// app with an error naming both failures. The outputs a handler makes in a
// failed attempt are dropped: a handler under a policy holds an attempt's
// outputs until it returns, and sends them only if it succeeded, so a
// retried input's outputs are sent once and a skipped or dead-lettered
// input has none (a handler that makes very many outputs of one input
// holds them all meanwhile).
//
// Retries honour the app: a drain (the app's context cancelled) or an
// abort ends the wait at once, and the input's fate is then undecided: it
// is neither skipped nor dead-lettered, never acknowledged, and the next
// run reads it again. A handler that returns backoff.Permanent(err)
// (github.com/cenkalti/backoff/v5, which does the retrying) is not
// retried: its input goes straight to its fate.
//
// # Sinks
//
// [RetrySink], [SkipSink] and [DeadLetterSink] do the same for a sink's
// errors: retry Send, then skip the output, dead-letter it, or stop. An
// output skipped or dead-lettered counts as accepted for its input's
// delivery. For a sink that accepts later ([streamio.AsyncSink], such as a
// Kafka topic), retries apply to SendAsync's own error (the output was not
// taken), and a later report that the output was lost goes straight to the
// skip or dead letter, without retries: retrying then would resend it out
// of order, from the sink's reporting goroutine. Such a sink under a
// policy is sent its outputs one at a time rather than in runs.
//
// # Why a package of its own
//
// Go cannot infer a type parameter from the value a call's result is
// assigned to, so a rule that does not mention the input's type (retry,
// skip) and one that does (a dead-letter sink of it) cannot both be values
// given to one method. Here every function takes the handler or sink it
// applies to, and the types meet in the signature: a dead-letter sink of
// the wrong type does not compile. Package stream stays as small as it was.
package onerror

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/slipstream-go/slipstream/internal/flow"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// A Backoff says how often, and how long, a failing call is retried. Waits
// grow exponentially, by 1.5 each time, each randomised by ±50% (jitter, so
// that many failing handlers do not retry in step), from Initial up to Max.
// At least one of Attempts and MaxElapsed must be set.
type Backoff struct {
	Attempts   int           // calls in all, the first included (3: two retries); 0 for no bound
	MaxElapsed time.Duration // no retry starts later than this after the first failure; 0 for no bound
	Initial    time.Duration // the first wait; 0 means 100 ms
	Max        time.Duration // the longest wait; 0 means 10 s
}

func (b Backoff) check(fn string) *flow.Backoff {
	switch {
	case b.Attempts < 0 || b.MaxElapsed < 0 || b.Initial < 0 || b.Max < 0:
		panic(fmt.Sprintf("onerror.%s: a Backoff field is negative: %+v", fn, b))
	case b.Attempts == 0 && b.MaxElapsed == 0:
		panic(fmt.Sprintf("onerror.%s: the Backoff has no bound: set Attempts or MaxElapsed", fn))
	}
	f := &flow.Backoff{Attempts: uint(b.Attempts), MaxElapsed: b.MaxElapsed, Initial: b.Initial, Max: b.Max}
	if f.Initial == 0 {
		f.Initial = 100 * time.Millisecond
	}
	if f.Max == 0 {
		f.Max = 10 * time.Second
	}
	f.Max = max(f.Max, f.Initial)
	return f
}

// A Failure is an item a handler or a sink gave up on, as a dead-letter
// sink receives it.
type Failure[T any] struct {
	Value   T      // the input the handler failed on, as it was received; or the output the sink refused
	Err     error  // the last error; a sink's names the sink
	Handler string // the name of the handler whose input, or output, it is
}

// Retry returns a copy of h that retries an input it fails on as b says,
// then gives up as the rest of its policy says: stops the app (the
// default), or see [Skip] and [DeadLetter].
func Retry[T, U any](h stream.Handler[T, U], b Backoff) stream.Handler[T, U] {
	p := policyOf("Retry", h)
	p.Retry = b.check("Retry")
	return with(h, p)
}

// Skip returns a copy of h that skips an input it fails on (after its
// retries, if [Retry] gave it some): the input is logged, counted (see
// [Skipped]) and acknowledged, and the next one is handled.
func Skip[T, U any](h stream.Handler[T, U]) stream.Handler[T, U] {
	p := policyOf("Skip", h)
	p.Skipped, p.DeadLetter = new(atomic.Int64), nil
	return with(h, p)
}

// DeadLetter returns a copy of h that sends an input it fails on (after
// its retries, if [Retry] gave it some), as it was received, to dlq with
// the error and the handler's name, and handles the next one. The app
// closes dlq when it stops, if it is a [streamio.Closer]. A Kafka topic
// is such a sink through kafka.Topic.DeadLetters, which adds the failure
// to the message's headers.
func DeadLetter[T, U any](h stream.Handler[T, U], dlq stream.Sink[Failure[T]]) stream.Handler[T, U] {
	p := policyOf("DeadLetter", h)
	p.Skipped, p.DeadLetter = nil, deadLetter("DeadLetter", dlq)
	return with(h, p)
}

// Skipped returns how many inputs h, made by [Skip], has skipped so far,
// in every app it is bound to; 0 for a handler that does not skip.
func Skipped[T, U any](h stream.Handler[T, U]) int64 {
	if p := flow.Handler[T, U](h).Policy(); p != nil && p.Skipped != nil {
		return p.Skipped.Load()
	}
	return 0
}

// policyOf returns a copy of h's policy, or a new one, for fn to change.
func policyOf[T, U any](fn string, h stream.Handler[T, U]) *flow.Policy[T] {
	fh := flow.Handler[T, U](h)
	if !fh.Valid() {
		panic(fmt.Sprintf("onerror.%s: h is the zero Handler; make one with stream.Func, stream.FuncErr, ...", fn))
	}
	if p := fh.Policy(); p != nil {
		c := *p
		return &c
	}
	return &flow.Policy[T]{}
}

func with[T, U any](h stream.Handler[T, U], p *flow.Policy[T]) stream.Handler[T, U] {
	return stream.Handler[T, U](flow.Handler[T, U](h).WithPolicy(p))
}

// deadLetter adapts dlq to the app: a Failure made of each item it is
// sent, and done called once dlq accepts it (at once for a plain sink).
func deadLetter[T any](fn string, dlq stream.Sink[Failure[T]]) *flow.DeadLetter[T] {
	if dlq == nil {
		panic(fmt.Sprintf("onerror.%s: dlq is nil", fn))
	}
	d := &flow.DeadLetter[T]{Sink: dlq}
	if a, ok := dlq.(streamio.AsyncSink[Failure[T]]); ok {
		d.Send = func(ctx context.Context, v T, err error, handler string, done func(error)) error {
			return a.SendAsync(ctx, Failure[T]{Value: v, Err: err, Handler: handler}, done)
		}
		return d
	}
	d.Send = func(ctx context.Context, v T, err error, handler string, done func(error)) error {
		if err := dlq.Send(ctx, Failure[T]{Value: v, Err: err, Handler: handler}); err != nil {
			return err
		}
		done(nil)
		return nil
	}
	return d
}
