package stream

import (
	"context"
	"fmt"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// A Source is where a stream's items come from: a slice, a channel, a Kafka
// topic, a [Proxy], a Cache's change feed. Every function that takes a
// Source also takes a [Stream], since a Stream is a Source too.
//
// The app calls Feed once for each stream made from the source, when it runs.
// Feed writes the source's items to w in order and returns nil when the
// source is exhausted. When ctx is done, Feed stops reading and returns
// (ctx's error, or nil); the app then lets the items already written drain
// through the stream. Any other error fails the app, which returns it as it
// is: it should say where it comes from, as "kafka: topic emoji: ..." does.
type Source[T any] interface {
	Feed(ctx context.Context, w *Writer[T]) error
}

// SourceFunc adapts a function to a [Source].
type SourceFunc[T any] func(ctx context.Context, w *Writer[T]) error

// Feed calls f(ctx, w). An error f returns is prefixed with f's name.
func (f SourceFunc[T]) Feed(ctx context.Context, w *Writer[T]) error {
	err := f(ctx, w)
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("source %s: %w", flow.FuncName(f), err)
	}
	return err
}

// A Writer is how a [Source] hands items to its stream; the app gives one
// to [Source.Feed]. Its methods are for one goroutine at a time.
//
// Each item goes on at once, in the goroutine that writes it, through the
// steps after the source ([Map], [Filter], ..., the handler and its sinks)
// as far as the next step that hands items to another goroutine ([Merge],
// [Tee], [Batch], [Async], [MapConcurrent]). A write returns once that is
// done, so a slow handler slows its source (backpressure).
//
// Adding waits while the stream is paused (see [Stream.Pause]). Once a step
// downstream has failed, every method returns an error: Feed should return
// it. Tracked items, and waiting out a pause without blocking, are in
// package streamio, for the sources that need them (a Kafka consumer).
type Writer[T any] flow.Writer[T]

// Add hands v on to the steps after the source. A source with several items
// ready at once adds them one by one, or with [Writer.AddAll], and calls
// [Writer.Flush] before it waits for more input. Add does not report that
// ctx is done: a source that adds in a loop without waiting checks ctx
// itself.
func (w *Writer[T]) Add(ctx context.Context, v T) error {
	return (*flow.Writer[T])(w).Add(ctx, v)
}

// AddAll hands on the items of vs in order, as Add would each, at a lower
// cost per item: steps that can take a run in one go do. A pause is
// checked once, before the run. vs is only read during the call.
func (w *Writer[T]) AddAll(ctx context.Context, vs []T) error {
	return (*flow.Writer[T])(w).AddAll(ctx, vs)
}

// Write hands v on, as [Writer.Add] does, then calls [Writer.Flush]: for a
// source that makes one item at a time and then waits for the next. An
// error from Flush means that v was taken.
func (w *Writer[T]) Write(ctx context.Context, v T) error {
	return (*flow.Writer[T])(w).Write(ctx, v)
}

// Flush tells the steps downstream that the source is about to wait for
// input, so that what they hold for company (a chunk not yet full, outputs
// collected for a batch-taking sink) goes on now. It returns ctx's error
// once ctx is done: a source that only writes learns there to stop.
func (w *Writer[T]) Flush(ctx context.Context) error {
	return (*flow.Writer[T])(w).Flush(ctx)
}

// From returns a stream of src's items. Each stream made by From reads src
// anew when its app runs: two streams from one Kafka topic are two consumers.
// From of a Stream returns it unchanged.
func From[T any](src Source[T]) Stream[T] {
	if src == nil {
		panic("stream.From: src is nil")
	}
	if s, ok := src.(Stream[T]); ok {
		return s
	}
	var subscribe func() flow.Source[T]
	if s, ok := src.(interface{ Subscribe() Source[T] }); ok { // streamio.Subscribable
		subscribe = func() flow.Source[T] { return feeder[T]{s.Subscribe()} }
	}
	return Stream[T](flow.From(src, feeder[T]{src}, subscribe))
}

// input returns the stream of src that a combinator named consumer reads.
func input[T any](src Source[T], consumer string) flow.Stream[T] {
	if src == nil {
		panic(fmt.Sprintf("stream.%s: src is nil", consumer))
	}
	return flow.Stream[T](From(src))
}

// A feeder is a Source as the engine feeds it.
type feeder[T any] struct{ src Source[T] }

func (f feeder[T]) Feed(ctx context.Context, w *flow.Writer[T]) error {
	return f.src.Feed(ctx, (*Writer[T])(w))
}
