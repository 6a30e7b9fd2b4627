package stream

import (
	"fmt"
	"time"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Batch returns a stream of slices of up to size consecutive items of src. A
// batch is sent when it is full, when maxWait has passed since its first
// item arrived, or when src ends; maxWait of zero or less means no time
// limit. The items of a batch count as delivered once the batch is.
func Batch[T any](src Source[T], size int, maxWait time.Duration) Stream[[]T] {
	mustPositive("Batch", "size", size)
	in := input(src, "Batch")
	name := fmt.Sprintf("Batch(%s)", in.name)
	n := &node[[]T]{name: name, origins: in.origins}
	n.open = func(r *run) *edge[[]T] {
		e := in.open(r)
		out := newEdge[[]T]()
		r.spawn(name, func() error {
			b := &batcher[T]{size: size, out: outbox[[]T]{e: out, done: r.done}}
			err := b.run(r, e, maxWait)
			if err != nil {
				close(out.ch)
				return err
			}
			return b.out.close()
		})
		return out
	}
	return Stream[[]T]{n}
}

type batcher[T any] struct {
	size  int
	items []T
	acks  []*ack.Token
	out   outbox[[]T]
}

func (b *batcher[T]) run(r *run, e *edge[T], maxWait time.Duration) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case c, ok := <-e.ch:
			if !ok {
				return b.send()
			}
			for i, v := range c.items {
				if len(b.items) == 0 && maxWait > 0 {
					timer.Reset(maxWait)
				}
				b.items = append(b.items, v)
				b.acks = append(b.acks, c.token(i))
				if len(b.items) == b.size {
					timer.Stop()
					if err := b.send(); err != nil {
						return err
					}
				}
			}
			e.release(c)
		case <-timer.C:
			if err := b.send(); err != nil {
				return err
			}
		case <-r.done:
			return errAborted
		}
	}
}

// send sends the batch so far, if any.
func (b *batcher[T]) send() error {
	if len(b.items) == 0 {
		return nil
	}
	batch := b.items
	t := ack.Group(b.acks)
	b.items = make([]T, 0, min(b.size, chunkSize))
	clear(b.acks)
	b.acks = b.acks[:0]
	if err := b.out.add(batch, t); err != nil {
		return err
	}
	return b.out.flush()
}
