package flow

import (
	"fmt"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Scan implements stream.Scan.
func Scan[T, A any](src Stream[T], init A, f func(acc A, v T) A) Stream[A] {
	MustFunc("Scan", "f", f)
	in := input(src, "Scan")
	return fused(fmt.Sprintf("Scan(%s)", in.name), in, func(_ *run, down pusher[A]) func(T, *ack.Token) error {
		acc := init
		return func(v T, t *ack.Token) error {
			acc = f(acc, v)
			return down.push(acc, t)
		}
	})
}

// Pairwise implements stream.Pairwise.
func Pairwise[T any](src Stream[T]) Stream[[2]T] {
	in := input(src, "Pairwise")
	return fused(fmt.Sprintf("Pairwise(%s)", in.name), in, func(_ *run, down pusher[[2]T]) func(T, *ack.Token) error {
		var prev T
		started := false
		return func(v T, t *ack.Token) error {
			if !started {
				started, prev = true, v
				t.Done()
				return nil
			}
			pair := [2]T{prev, v}
			prev = v
			return down.push(pair, t)
		}
	})
}

// Async implements stream.Async.
func Async[T any](src Stream[T]) Stream[T] {
	in := input(src, "Async")
	n := &node[T]{name: fmt.Sprintf("Async(%s)", in.name), origins: in.origins, single: in.single}
	n.wire = func(r *run, down pusher[T]) func() error {
		return drain(r, edgeOf(r, in), down)
	}
	return Stream[T]{n}
}
