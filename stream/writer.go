package stream

import (
	"context"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// A Writer is how a [Source] hands items to its stream. The app gives one to
// [Source.Feed]. Its writing methods are for one goroutine at a time;
// [Writer.Paused] and [Writer.WaitResumed] may be called from any goroutine,
// such as a Kafka consumer's poller.
//
// Every method blocks while the stream is paused (see [Stream.Pause]) or while
// the stages downstream are busy (backpressure), and returns ctx's error once
// ctx is done. A source that must keep working while paused, such as a Kafka
// consumer that has to keep polling, checks [Writer.Paused] and holds its
// items itself.
type Writer[T any] struct {
	out   outbox[T]
	gate  *gate
	abort <-chan struct{}
}

func newWriter[T any](e *edge[T], g *gate, abort <-chan struct{}) *Writer[T] {
	return &Writer[T]{out: outbox[T]{e: e, done: abort}, gate: g, abort: abort}
}

// Write sends v downstream now, together with any items added before it.
func (w *Writer[T]) Write(ctx context.Context, v T) error {
	if err := w.Add(ctx, v); err != nil {
		return err
	}
	return w.Flush(ctx)
}

// Add adds v to the chunk of items the writer is filling. The chunk is sent
// when it is full or on [Writer.Flush]: a source that has several items ready
// at once (a slice, a batch fetched from Kafka) adds them one by one and
// flushes before it waits for more input, so that items travel in chunks
// without ever waiting for one to fill.
func (w *Writer[T]) Add(ctx context.Context, v T) error {
	return w.add(ctx, v, nil)
}

// AddTracked is [Writer.Add] for an item whose delivery is tracked: accepted
// runs, once, when every output derived from v has been accepted by its sinks
// (or v was filtered out). An item whose outputs are never accepted, because
// the app failed or stopped first, never runs accepted. Kafka sources commit
// offsets from it.
func (w *Writer[T]) AddTracked(ctx context.Context, v T, accepted func()) error {
	return w.add(ctx, v, ack.New(accepted))
}

func (w *Writer[T]) add(ctx context.Context, v T, t *ack.Token) error {
	if err := w.gate.wait(ctx, w.abort); err != nil {
		return err
	}
	if w.out.push(v, t) {
		return w.Flush(ctx)
	}
	return nil
}

// Flush sends the items added so far, waiting for room downstream.
func (w *Writer[T]) Flush(ctx context.Context) error {
	if w.out.cur == nil || len(w.out.cur.items) == 0 {
		return nil
	}
	if err := w.gate.wait(ctx, w.abort); err != nil {
		return err
	}
	stopped, err := w.out.sendUntil(ctx.Done())
	if stopped {
		return context.Cause(ctx)
	}
	return err
}

// Paused reports whether the stream this writer feeds is paused.
func (w *Writer[T]) Paused() bool { return w.gate.paused.Load() }

// WaitResumed returns at once if the stream is not paused, and otherwise
// once it is resumed, ctx is done (with ctx's error), or the app aborts. A
// source that holds an item while paused waits here, then checks that the
// item is still wanted (a seek during the pause may have made it stale)
// before it writes it.
func (w *Writer[T]) WaitResumed(ctx context.Context) error { return w.gate.wait(ctx, w.abort) }
