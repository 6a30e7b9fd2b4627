package stream

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// Map returns a stream of f applied to each item of src, in order.
//
// Map, like [Filter], [FlatMap], [Scan] and [Pairwise], runs f in the
// goroutine of whatever reads its stream: a chain of them costs a function
// call per item and step, not a goroutine and a channel per step. Put an
// [Async] between steps that should run on different cores.
func Map[T, U any](src Source[T], f func(T) U) Stream[U] {
	return Stream[U](flow.Map(input(src, "Map"), f))
}

// MapErr returns a stream of f applied to each item of src, in order. The
// first error f returns fails the app, named after f.
func MapErr[T, U any](src Source[T], f func(context.Context, T) (U, error)) Stream[U] {
	return Stream[U](flow.MapErr(input(src, "MapErr"), f))
}

// Filter returns a stream of the items of src for which keep returns true.
// The items it drops count as delivered at once.
func Filter[T any](src Source[T], keep func(T) bool) Stream[T] {
	return Stream[T](flow.Filter(input(src, "Filter"), keep))
}

// FlatMap returns a stream of every item of the iterators f returns for the
// items of src, in order. An item for which f yields nothing counts as
// delivered at once.
func FlatMap[T, U any](src Source[T], f func(T) iter.Seq[U]) Stream[U] {
	return Stream[U](flow.FlatMap(input(src, "FlatMap"), f))
}

// FlatMapFunc is [FlatMap] for a function that emits its outputs by calling
// emit, zero or more times.
func FlatMapFunc[T, U any](src Source[T], f func(v T, emit func(U))) Stream[U] {
	return Stream[U](flow.FlatMapFunc(input(src, "FlatMapFunc"), f))
}

// Scan returns a running fold of src: for each item, the result of f applied
// to the previous result (init for the first item) and the item. Running
// totals are Scan(src, 0, func(sum, n int) int { return sum + n }).
func Scan[T, A any](src Source[T], init A, f func(acc A, v T) A) Stream[A] {
	return Stream[A](flow.Scan(input(src, "Scan"), init, f))
}

// Pairwise returns a stream of each item of src paired with the one before
// it: [a, b], [b, c], ... for a, b, c. The first item makes no pair of its own
// and counts as delivered at once; each pair carries its newer item's
// delivery.
func Pairwise[T any](src Source[T]) Stream[[2]T] {
	return Stream[[2]T](flow.Pairwise(input(src, "Pairwise")))
}

// Take returns a stream of the first n items of src, then ends: it stops
// the sources src reads from, as an app stops its sources when it stops,
// and drops what they still hand over, unacknowledged, so that a Kafka
// source does not commit them. Take of an endless source, such as a topic
// or a ticker, makes it end.
func Take[T any](src Source[T], n int) Stream[T] {
	return Stream[T](flow.Take(input(src, "Take"), n))
}

// Async returns a stream of the items of src that reads src in a goroutine of
// its own: the steps before it and the steps after it run concurrently, on
// different cores if there are any. Use it after a step that costs more than
// handing items between goroutines does.
func Async[T any](src Source[T]) Stream[T] {
	return Stream[T](flow.Async(input(src, "Async")))
}

// Batch returns a stream of slices of up to size consecutive items of src. A
// batch is sent when it is full, when maxWait has passed since its first
// item arrived, or when src ends; maxWait of zero or less means no time
// limit. The items of a batch count as delivered once the batch is.
func Batch[T any](src Source[T], size int, maxWait time.Duration) Stream[[]T] {
	return Stream[[]T](flow.Batch(input(src, "Batch"), size, maxWait))
}

// Tee returns n streams that each carry every item of src, in order. The
// slowest of them sets the pace: Tee never buffers without bound. An item
// counts as delivered once every branch has delivered it. Every branch must
// be read, or [App.Run] fails at start.
func Tee[T any](src Source[T], n int) []Stream[T] {
	branches := flow.Tee(input(src, "Tee"), n)
	out := make([]Stream[T], len(branches))
	for i, b := range branches {
		out[i] = Stream[T](b)
	}
	return out
}

// Merge returns a stream of the items of every one of srcs, each read
// concurrently. Items of one source keep their order; items of different
// sources interleave as they come. It ends when every source has ended.
func Merge[T any](srcs ...Source[T]) Stream[T] {
	ins := make([]flow.Stream[T], len(srcs))
	for i, src := range srcs {
		if src == nil {
			panic(fmt.Sprintf("stream.Merge: srcs[%d] is nil", i))
		}
		ins[i] = input(src, "Merge")
	}
	return Stream[T](flow.Merge(ins...))
}

// MapConcurrent is [MapErr] with n calls of f running at once, for work that
// waits (on a network, a disk). Outputs keep the order of their inputs. The
// first error f returns fails the app.
func MapConcurrent[T, U any](src Source[T], n int, f func(context.Context, T) (U, error)) Stream[U] {
	return Stream[U](flow.MapConcurrent(input(src, "MapConcurrent"), n, f))
}
