package flow

import (
	"context"
	"fmt"
	"iter"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Map implements stream.Map.
func Map[T, U any](src Stream[T], f func(T) U) Stream[U] {
	MustFunc("Map", "f", f)
	in := input(src, "Map")
	return fused(fmt.Sprintf("Map(%s)", in.name), in, func(_ *run, down pusher[U]) func(T, *ack.Token) error {
		return func(v T, t *ack.Token) error { return down.push(f(v), t) }
	})
}

// MapErr implements stream.MapErr.
func MapErr[T, U any](src Stream[T], f func(context.Context, T) (U, error)) Stream[U] {
	MustFunc("MapErr", "f", f)
	in := input(src, "MapErr")
	name := FuncName(f)
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

// Filter implements stream.Filter.
func Filter[T any](src Stream[T], keep func(T) bool) Stream[T] {
	MustFunc("Filter", "keep", keep)
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

// FlatMap implements stream.FlatMap.
func FlatMap[T, U any](src Stream[T], f func(T) iter.Seq[U]) Stream[U] {
	MustFunc("FlatMap", "f", f)
	return flatMap("FlatMap", src, func(v T, emit func(U) bool) {
		for u := range f(v) {
			if !emit(u) {
				return
			}
		}
	})
}

// FlatMapFunc implements stream.FlatMapFunc.
func FlatMapFunc[T, U any](src Stream[T], f func(v T, emit func(U))) Stream[U] {
	MustFunc("FlatMapFunc", "f", f)
	return flatMap("FlatMapFunc", src, func(v T, emit func(U) bool) {
		f(v, func(u U) { emit(u) })
	})
}

func flatMap[T, U any](name string, src Stream[T], f func(T, func(U) bool)) Stream[U] {
	in := input(src, name)
	return fused(fmt.Sprintf("%s(%s)", name, in.name), in, func(_ *run, down pusher[U]) func(T, *ack.Token) error {
		var err error
		var token *ack.Token // of the item being expanded
		emit := func(u U) bool {
			if err != nil {
				return false
			}
			token.Derive(1)
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
