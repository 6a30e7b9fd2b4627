package stream

import (
	"fmt"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Take returns a stream of the first n items of src, then ends: once it has
// passed n items on, it stops the sources src reads from, as an app stops its
// sources when it stops, and drops what they still hand over. The dropped
// items are not acknowledged, so a Kafka source does not commit them: another
// run reads them again. Take of an endless source, such as a topic or a
// ticker, makes it end.
func Take[T any](src Source[T], n int) Stream[T] {
	mustPositive("Take", "n", n)
	in := input(src, "Take")
	return fused(fmt.Sprintf("Take(%s)", in.name), in, func(r *run, down pusher[T]) func(T, *ack.Token) error {
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
}
