package stream

import (
	"context"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// A Stream is a typed, lazy flow of items. Streams are made from sources
// with [From] and from other streams with combinators such as [Map],
// [Filter] and [Merge]; nothing runs until an [App] runs a handler bound to
// one. Each stream is read by one consumer: use [Tee] to read one twice.
//
// A Stream is a [Source], so it can be passed wherever a source is wanted.
// The zero Stream is not usable.
type Stream[T any] flow.Stream[T]

// Feed runs s and writes its items to w, keeping their delivery tracking.
// It lets a Stream serve wherever a [Source] is wanted. When ctx is done, s
// stops reading its sources and Feed returns once what they read has drained.
func (s Stream[T]) Feed(ctx context.Context, w *Writer[T]) error {
	return flow.Stream[T](s).Feed(ctx, (*flow.Writer[T])(w))
}

// Pause pauses every source this stream reads from until [Stream.Resume]:
// a paused source hands out no more items (a Kafka topic pauses its
// partitions and keeps polling). Items already past the source (a few
// chunks at most, where the stream crosses goroutines) still reach the
// handler. Pausing a paused stream does nothing.
func (s Stream[T]) Pause() { flow.Stream[T](s).Pause() }

// Resume resumes every source this stream reads from.
func (s Stream[T]) Resume() { flow.Stream[T](s).Resume() }

// Paused reports whether any source of this stream is paused.
func (s Stream[T]) Paused() bool { return flow.Stream[T](s).Paused() }

// Bound reports whether a handler or a combinator reads s. Pausing a
// stream that nothing reads pauses nothing: a stream made from a source
// with [From] is one reader of it, and a handler bound to the source itself
// reads it through another.
func (s Stream[T]) Bound() bool { return flow.Stream[T](s).Bound() }

// String describes the stream, such as "Map(source.Slice)".
func (s Stream[T]) String() string { return flow.Stream[T](s).String() }
