package testkit

import (
	"context"
	"slices"
	"sync"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Tracked is an in-memory source of tracked items, as a Kafka topic's
// messages are: it feeds Items and records the order in which their
// deliveries are acknowledged, as a topic commits them.
type Tracked[T any] struct {
	Items []T

	mu    sync.Mutex
	acked []T
}

// Feed adds each item, tracked, and returns once they are all added.
func (s *Tracked[T]) Feed(ctx context.Context, w *stream.Writer[T]) error {
	for _, v := range s.Items {
		if err := streamio.AddTracked(ctx, w, v, streamio.AcceptorFunc(func(uint64) {
			s.mu.Lock()
			s.acked = append(s.acked, v)
			s.mu.Unlock()
		}), 0); err != nil {
			return err
		}
	}
	return w.Flush(ctx)
}

// Acked returns the items acknowledged so far, in the order they were.
func (s *Tracked[T]) Acked() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acked)
}
