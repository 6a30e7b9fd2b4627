package onerror

import (
	"fmt"
	"sync/atomic"

	"github.com/slipstream-go/slipstream/internal/flow"
	"github.com/slipstream-go/slipstream/stream"
)

// RetrySink returns s under a policy that retries a failed send as b says,
// then gives up as the rest of its policy says: stops the app (the
// default), or see [SkipSink] and [DeadLetterSink]. The app closes s, and
// names it in errors, as if it were bound itself.
func RetrySink[T any](s stream.Sink[T], b Backoff) stream.Sink[T] {
	ps := sinkPolicyOf("RetrySink", s)
	ps.Policy.Retry = b.check("RetrySink")
	return ps
}

// SkipSink returns s under a policy that skips an output s fails on
// (after its retries, if [RetrySink] gave it some): the output is logged,
// counted (see [SkippedSink]) and taken as accepted.
func SkipSink[T any](s stream.Sink[T]) stream.Sink[T] {
	ps := sinkPolicyOf("SkipSink", s)
	ps.Policy.Skipped, ps.Policy.DeadLetter = new(atomic.Int64), nil
	return ps
}

// DeadLetterSink returns s under a policy that sends an output s fails on
// (after its retries, if [RetrySink] gave it some) to dlq, with the error
// and the name of the handler that made it; the output counts as accepted
// once dlq has accepted it.
func DeadLetterSink[T any](s stream.Sink[T], dlq stream.Sink[Failure[T]]) stream.Sink[T] {
	ps := sinkPolicyOf("DeadLetterSink", s)
	ps.Policy.Skipped, ps.Policy.DeadLetter = nil, deadLetter("DeadLetterSink", dlq)
	return ps
}

// SkippedSink returns how many outputs s, made by [SkipSink], has skipped
// so far; 0 for a sink that does not skip.
func SkippedSink[T any](s stream.Sink[T]) int64 {
	if ps, ok := s.(*flow.PolicySink[T]); ok && ps.Policy.Skipped != nil {
		return ps.Policy.Skipped.Load()
	}
	return 0
}

// sinkPolicyOf returns s under a copy of its policy, or under a new one,
// for fn to change.
func sinkPolicyOf[T any](fn string, s stream.Sink[T]) *flow.PolicySink[T] {
	if s == nil {
		panic(fmt.Sprintf("onerror.%s: s is nil", fn))
	}
	if ps, ok := s.(*flow.PolicySink[T]); ok {
		p := *ps.Policy
		return &flow.PolicySink[T]{Sink: ps.Sink, Policy: &p}
	}
	return &flow.PolicySink[T]{Sink: s, Policy: &flow.Policy[T]{}}
}
