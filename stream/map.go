package stream

import (
	"context"
	"fmt"
	"iter"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Map returns a stream of f applied to each item of src, in order.
//
// Map, like [Filter], [FlatMap], [Scan] and [Pairwise], runs f in the
// goroutine of whatever reads its stream: a chain of them costs a function
// call per item and step, not a goroutine and a channel per step. Put an
// [Async] between steps that should run on different cores.
func Map[T, U any](src Source[T], f func(T) U) Stream[U] {
	mustFunc("Map", "f", f)
	in := input(src, "Map")
	return fused(fmt.Sprintf("Map(%s)", in.name), in, func(_ *run, down pusher[U]) func(T, *ack.Token) error {
		return func(v T, t *ack.Token) error { return down.push(f(v), t) }
	})
}

// MapErr returns a stream of f applied to each item of src, in order. The
// first error f returns fails the app, named after f.
func MapErr[T, U any](src Source[T], f func(context.Context, T) (U, error)) Stream[U] {
	mustFunc("MapErr", "f", f)
	in := input(src, "MapErr")
	name := funcName(f)
	return fused(fmt.Sprintf("MapErr(%s)", in.name), in, func(r *run, down pusher[U]) func(T, *ack.Token) error {
		return func(v T, t *ack.Token) error {
			u, err := f(r.ctx, v)
			if err != nil {
				return fmt.Errorf("MapErr %s: %w", name, err)
			}
			return down.push(u, t)
		}
	})
}

// Filter returns a stream of the items of src for which keep returns true.
// The items it drops count as delivered at once.
func Filter[T any](src Source[T], keep func(T) bool) Stream[T] {
	mustFunc("Filter", "keep", keep)
	in := input(src, "Filter")
	return fused(fmt.Sprintf("Filter(%s)", in.name), in, func(_ *run, down pusher[T]) func(T, *ack.Token) error {
		return func(v T, t *ack.Token) error {
			if !keep(v) {
				t.Done()
				return nil
			}
			return down.push(v, t)
		}
	})
}

// FlatMap returns a stream of every item of the iterators f returns for the
// items of src, in order. An item for which f yields nothing counts as
// delivered at once.
func FlatMap[T, U any](src Source[T], f func(T) iter.Seq[U]) Stream[U] {
	mustFunc("FlatMap", "f", f)
	return flatMap("FlatMap", src, func(v T, emit func(U) bool) {
		for u := range f(v) {
			if !emit(u) {
				return
			}
		}
	})
}

// FlatMapFunc is [FlatMap] for a function that emits its outputs by calling
// emit, zero or more times.
func FlatMapFunc[T, U any](src Source[T], f func(v T, emit func(U))) Stream[U] {
	mustFunc("FlatMapFunc", "f", f)
	return flatMap("FlatMapFunc", src, func(v T, emit func(U) bool) {
		f(v, func(u U) { emit(u) })
	})
}

func flatMap[T, U any](name string, src Source[T], f func(T, func(U) bool)) Stream[U] {
	in := input(src, name)
	return fused(fmt.Sprintf("%s(%s)", name, in.name), in, func(_ *run, down pusher[U]) func(T, *ack.Token) error {
		var err error
		var token *ack.Token // of the item being expanded
		emit := func(u U) bool {
			if err != nil {
				return false
			}
			token.Add(1)
			err = down.push(u, token)
			return err == nil
		}
		return func(v T, t *ack.Token) error {
			token, err = t, nil
			f(v, emit)
			if err != nil {
				return err
			}
			t.Done()
			return nil
		}
	})
}
