package stream

import (
	"context"
	"fmt"
	"iter"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Map returns a stream of f applied to each item of src, in order.
func Map[T, U any](src Source[T], f func(T) U) Stream[U] {
	mustFunc("Map", "f", f)
	in := input(src, "Map")
	return stage(fmt.Sprintf("Map(%s)", in.name), in, func(_ *run, c *chunk[T], out *outbox[U]) error {
		for i, v := range c.items {
			if err := out.add(f(v), c.token(i)); err != nil {
				return err
			}
		}
		return nil
	})
}

// MapErr returns a stream of f applied to each item of src, in order. The
// first error f returns fails the app, named after f.
func MapErr[T, U any](src Source[T], f func(context.Context, T) (U, error)) Stream[U] {
	mustFunc("MapErr", "f", f)
	in := input(src, "MapErr")
	name := funcName(f)
	return stage(fmt.Sprintf("MapErr(%s)", in.name), in, func(r *run, c *chunk[T], out *outbox[U]) error {
		for i, v := range c.items {
			u, err := f(r.ctx, v)
			if err != nil {
				return fmt.Errorf("MapErr %s: %w", name, err)
			}
			if err := out.add(u, c.token(i)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Filter returns a stream of the items of src for which keep returns true.
// The items it drops count as delivered at once.
func Filter[T any](src Source[T], keep func(T) bool) Stream[T] {
	mustFunc("Filter", "keep", keep)
	in := input(src, "Filter")
	return stage(fmt.Sprintf("Filter(%s)", in.name), in, func(_ *run, c *chunk[T], out *outbox[T]) error {
		for i, v := range c.items {
			if !keep(v) {
				c.token(i).Done()
				continue
			}
			if err := out.add(v, c.token(i)); err != nil {
				return err
			}
		}
		return nil
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
	return stage(fmt.Sprintf("%s(%s)", name, in.name), in, func(_ *run, c *chunk[T], out *outbox[U]) error {
		var err error
		var t *ack.Token
		emit := func(u U) bool { // one closure a chunk, not one an item
			if err != nil {
				return false
			}
			t.Add(1)
			err = out.add(u, t)
			return err == nil
		}
		for i, v := range c.items {
			t = c.token(i)
			f(v, emit)
			if err != nil {
				return err
			}
			t.Done()
		}
		return nil
	})
}
