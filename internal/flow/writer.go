package flow

import (
	"context"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// A Writer is how a source hands items to its stream: the engine of
// stream.Writer, whose doc says how to use it. Its adding methods are for
// one goroutine at a time; Paused and WaitResumed are for any.
type Writer[T any] struct {
	r      *run
	gate   *gate
	down   pusher[T]
	tokens ack.Slab // the tracking state of items added here
}

func newWriter[T any](r *run, g *gate, down pusher[T]) *Writer[T] {
	return &Writer[T]{r: r, gate: g, down: down}
}

// Write hands v on, as [Writer.Add] does, then calls [Writer.Flush]: for a
// source that makes one item at a time and then waits for the next. An
// error from Flush means that v was taken.
func (w *Writer[T]) Write(ctx context.Context, v T) error {
	if err := w.Add(ctx, v); err != nil {
		return err
	}
	return w.Flush(ctx)
}

// Add hands v on to the steps after the source. A source that has several
// items ready at once (a slice, a batch fetched from Kafka) adds them one by
// one, or in a run with [Writer.AddAll] when they are untracked, and calls
// [Writer.Flush] before it waits for more input.
func (w *Writer[T]) Add(ctx context.Context, v T) error {
	return w.add(ctx, v, nil)
}

// AddAll hands on the items of vs, in order, as [Writer.Add] hands on
// each, for a source that has a run of untracked items ready at once (a
// slice, a burst read from a socket). Steps that can take a run in one go
// do, which costs less per item than one at a time: a [Func] handler makes
// its outputs in one loop. The pause is checked once, before the run: a
// pause that comes while the run is handled takes effect after it. vs is
// only read during the call.
func (w *Writer[T]) AddAll(ctx context.Context, vs []T) error {
	if err := w.waitOpen(ctx); err != nil {
		return err
	}
	if w.r.aborted.Load() {
		return errAborted
	}
	if w.down.pushRun != nil {
		return w.downstream(w.down.pushRun(vs))
	}
	for i := range vs {
		if w.r.aborted.Load() {
			return errAborted
		}
		if err := w.downstream(w.down.push(vs[i], nil)); err != nil {
			return err
		}
	}
	return nil
}

// A discarder is an [ack.Acceptor] that may learn, while an item waits for
// its paused stream to resume, that the item is no longer wanted; see
// streamio.Discarder.
type discarder interface {
	Discarded(seq uint64) bool
}

// AddTracked hands v on as Add does; a.Accept(seq) runs once every output
// derived from v has been accepted (see streamio.AddTracked).
func (w *Writer[T]) AddTracked(ctx context.Context, v T, a ack.Acceptor, seq uint64) error {
	if err := w.waitOpen(ctx); err != nil {
		return err
	}
	if d, ok := a.(discarder); ok && d.Discarded(seq) {
		return nil
	}
	t := w.tokens.New(a, seq)
	err := w.push(v, t)
	w.tokens.Release(t)
	return err
}

func (w *Writer[T]) add(ctx context.Context, v T, t *ack.Token) error {
	if err := w.waitOpen(ctx); err != nil {
		return err
	}
	// push's body, not a call of it: each call an item passes through
	// copies it once more, which costs a large item more than the call.
	if w.r.aborted.Load() {
		return errAborted
	}
	return w.downstream(w.down.push(v, t))
}

// waitOpen returns once the stream is not paused, or with ctx's error. A
// paused stream means the source is about to wait: what the steps
// downstream hold (outputs collected for a [BatchSink], a chunk not yet
// sent) goes out first, so that it does not wait out the pause.
func (w *Writer[T]) waitOpen(ctx context.Context) error {
	if !w.gate.paused.Load() {
		return nil
	}
	return w.waitPaused(ctx)
}

// waitPaused is waitOpen's slow path, apart so that the check of an open
// gate is inlined where items pass it.
func (w *Writer[T]) waitPaused(ctx context.Context) error {
	if err := w.idle(); err != nil {
		return err
	}
	return w.gate.waitResumed(ctx, w.r.done)
}

// push hands v on, past the pause gate, unless the run has aborted.
func (w *Writer[T]) push(v T, t *ack.Token) error {
	if w.r.aborted.Load() {
		return errAborted
	}
	return w.downstream(w.down.push(v, t))
}

// Flush tells the steps downstream that the source is about to wait for
// input: the items they hold for another goroutine, in a chunk that is not
// full yet, go out now rather than wait for more, and the outputs collected
// for a [BatchSink] are handed to it. It returns ctx's error once ctx is
// done.
func (w *Writer[T]) Flush(ctx context.Context) error {
	if err := w.idle(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// idle tells the steps downstream that the source is about to wait.
func (w *Writer[T]) idle() error {
	if w.down.idle == nil {
		return nil
	}
	return w.downstream(w.down.idle())
}

// downstream fails the app with err, the error of a step downstream, which
// names the step, and returns what the source is told instead.
func (w *Writer[T]) downstream(err error) error {
	if err == nil {
		return nil
	}
	w.r.fail(err)
	return errAborted
}

// Paused reports whether the stream this writer feeds is paused.
func (w *Writer[T]) Paused() bool { return w.gate.paused.Load() }

// WaitResumed returns at once if the stream is not paused, and otherwise
// once it is resumed, ctx is done (with ctx's error), or the app aborts. A
// source that holds an item while paused waits here, then checks that the
// item is still wanted (a seek during the pause may have made it stale)
// before it writes it.
func (w *Writer[T]) WaitResumed(ctx context.Context) error { return w.gate.wait(ctx, w.r.done) }

// discard drops an item: the push of a writer whose items go nowhere.
func discard[T any](T, *ack.Token) error { return nil }
