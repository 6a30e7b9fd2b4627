package flow

import (
	"fmt"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Take implements stream.Take.
func Take[T any](src Stream[T], n int) Stream[T] {
	MustPositive("Take", "n", n)
	in := input(src, "Take")
	name := fmt.Sprintf("Take(%s)", in.name)
	s := fused(name, in, func(r *run, down pusher[T]) func(T, *ack.Token) error {
		taken := 0
		return func(v T, t *ack.Token) error {
			if taken == n {
				return nil // after the end: dropped, not acknowledged
			}
			taken++
			if taken == n {
				defer r.stopSources(in.origins)
			}
			return down.push(v, t)
		}
	})
	s.n.single = fmt.Sprintf("%s counts its %d items in one reader", name, n)
	return s
}
