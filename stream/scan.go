package stream

import "fmt"

// Scan returns a running fold of src: for each item, the result of f applied
// to the previous result (init for the first item) and the item. Running
// totals are Scan(src, 0, func(sum, n int) int { return sum + n }).
func Scan[T, A any](src Source[T], init A, f func(acc A, v T) A) Stream[A] {
	mustFunc("Scan", "f", f)
	in := input(src, "Scan")
	return stage(fmt.Sprintf("Scan(%s)", in.name), in, func(_ *run, c *chunk[T], out *outbox[A]) error {
		for i, v := range c.items {
			init = f(init, v)
			if err := out.add(init, c.token(i)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Pairwise returns a stream of each item of src paired with the one before
// it: [a, b], [b, c], ... for a, b, c. The first item makes no pair of its own
// and counts as delivered at once; each pair carries its newer item's
// delivery.
func Pairwise[T any](src Source[T]) Stream[[2]T] {
	in := input(src, "Pairwise")
	var prev T
	started := false
	return stage(fmt.Sprintf("Pairwise(%s)", in.name), in, func(_ *run, c *chunk[T], out *outbox[[2]T]) error {
		for i, v := range c.items {
			if !started {
				started = true
				prev = v
				c.token(i).Done()
				continue
			}
			pair := [2]T{prev, v}
			prev = v
			if err := out.add(pair, c.token(i)); err != nil {
				return err
			}
		}
		return nil
	})
}
