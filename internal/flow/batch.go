package flow

import (
	"fmt"
	"time"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Batch implements stream.Batch.
func Batch[T any](src Stream[T], size int, maxWait time.Duration) Stream[[]T] {
	MustPositive("Batch", "size", size)
	in := input(src, "Batch")
	n := &node[[]T]{name: fmt.Sprintf("Batch(%s)", in.name), origins: in.origins, single: in.single}
	n.wire = func(r *run, down pusher[[]T]) func() error {
		e := edgeOf(r, in)
		return func() error {
			b := &batcher[T]{size: size, down: down}
			return b.run(r, e, maxWait)
		}
	}
	return Stream[[]T]{n}
}

type batcher[T any] struct {
	size  int
	items []T
	acks  []*ack.Token
	down  pusher[[]T]
}

func (b *batcher[T]) run(r *run, e *edge[T], maxWait time.Duration) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		if len(e.ch) == 0 && b.down.idle != nil {
			if err := b.down.idle(); err != nil {
				return err
			}
		}
		select {
		case c, ok := <-e.ch:
			if !ok {
				return b.send()
			}
			err := b.add(c, timer, maxWait)
			e.release(c)
			if err != nil {
				return err
			}
		case <-timer.C:
			if err := b.send(); err != nil {
				return err
			}
		case <-r.done:
			return errAborted
		}
	}
}

func (b *batcher[T]) add(c *chunk[T], timer *time.Timer, maxWait time.Duration) error {
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
	if b.down.after != nil {
		b.down.after()
	}
	return nil
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
	return b.down.push(batch, t)
}
