package kafka

import (
	"context"

	"github.com/slipstream-go/slipstream/stream"
)

// The consumer's calls on the stream it writes to, each made here alone.
// Each is small enough to be inlined: the fetch loop pays no call for them.

// streamPaused reports whether w's stream is paused.
func streamPaused[T any](w *stream.Writer[T]) bool { return w.Paused() }

// flushStream has the steps after w hand on what they hold, before the
// consumer waits (see [stream.Writer.Flush]).
func flushStream[T any](ctx context.Context, w *stream.Writer[T]) error { return w.Flush(ctx) }

// waitResumed returns once w's stream is not paused, or ctx is done.
func waitResumed[T any](ctx context.Context, w *stream.Writer[T]) error { return w.WaitResumed(ctx) }

// addTracked writes v to w as message seq of tr: tr accepts seq once every
// output derived from v has been accepted.
func addTracked[T any](ctx context.Context, w *stream.Writer[T], v T, tr *tracker, seq uint64) error {
	return w.AddTrackedSeq(ctx, v, tr, seq)
}

// aborted reports whether ctx is that of an app that failed, whose sinks
// accept nothing more.
func aborted(ctx context.Context) bool { return stream.Aborted(ctx) }
