package stream

import (
	"fmt"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Scan returns a running fold of src: for each item, the result of f applied
// to the previous result (init for the first item) and the item. Running
// totals are Scan(src, 0, func(sum, n int) int { return sum + n }).
func Scan[T, A any](src Source[T], init A, f func(acc A, v T) A) Stream[A] {
	mustFunc("Scan", "f", f)
	in := input(src, "Scan")
	return fused(fmt.Sprintf("Scan(%s)", in.name), in, func(_ *run, down pusher[A]) func(T, *ack.Token) error {
		acc := init
		return func(v T, t *ack.Token) error {
			acc = f(acc, v)
			return down.push(acc, t)
		}
	})
}

// Pairwise returns a stream of each item of src paired with the one before
// it: [a, b], [b, c], ... for a, b, c. The first item makes no pair of its own
// and counts as delivered at once; each pair carries its newer item's
// delivery.
func Pairwise[T any](src Source[T]) Stream[[2]T] {
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

// Async returns a stream of the items of src that reads src in a goroutine of
// its own: the steps before it and the steps after it run concurrently, on
// different cores if there are any. Use it after a step that costs more than
// handing items between goroutines does.
func Async[T any](src Source[T]) Stream[T] {
	in := input(src, "Async")
	n := &node[T]{name: fmt.Sprintf("Async(%s)", in.name), origins: in.origins}
	n.wire = func(r *run, down pusher[T]) func() error {
		return drain(r, edgeOf(r, in), down)
	}
	return Stream[T]{n}
}
