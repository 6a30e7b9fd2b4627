package flow

import (
	"sync/atomic"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Items cross goroutines in chunks: a channel operation costs 100 to 400 ns,
// so a goroutine that has several items ready sends them in one chunk, while
// a lone item still goes straight through (see outbox).
const (
	chunkSize = 64 // most items in one chunk
	edgeSize  = 4  // most chunks queued on one edge
)

// A chunk is a run of items; when any item of the chunk is tracked, acks
// holds each item's delivery token.
type chunk[T any] struct {
	items   []T
	acks    []*ack.Token
	tracked bool
}

// token returns the delivery token of item i, nil when it is untracked.
func (c *chunk[T]) token(i int) *ack.Token {
	if !c.tracked {
		return nil
	}
	return c.acks[i]
}

// An edge connects two goroutines: ch carries chunks downstream, and spent
// chunks come back through free for reuse, so a busy stream allocates
// nothing. Whoever sends on ch closes it when it stops, for whatever reason.
type edge[T any] struct {
	ch   chan *chunk[T]
	free [edgeSize + 2]atomic.Pointer[chunk[T]]
}

func newEdge[T any]() *edge[T] {
	return &edge[T]{ch: make(chan *chunk[T], edgeSize)}
}

// get returns an empty chunk, reused when one is free.
func (e *edge[T]) get() *chunk[T] {
	for i := range e.free {
		if c := e.free[i].Swap(nil); c != nil {
			return c
		}
	}
	return &chunk[T]{items: make([]T, 0, chunkSize)}
}

// release hands back a chunk that its receiver has finished with.
func (e *edge[T]) release(c *chunk[T]) {
	clear(c.items)
	c.items = c.items[:0]
	if c.tracked {
		clear(c.acks)
		c.acks = c.acks[:0]
		c.tracked = false
	}
	for i := range e.free {
		if e.free[i].CompareAndSwap(nil, c) {
			return
		}
	}
}

// An outbox collects items into chunks and sends them down an edge.
type outbox[T any] struct {
	e    *edge[T]
	cur  *chunk[T]
	done <-chan struct{} // closed when the run aborts
}

func newOutbox[T any](r *run, e *edge[T]) *outbox[T] {
	return &outbox[T]{e: e, done: r.done}
}

// pusher returns a pusher that fills the outbox.
func (o *outbox[T]) pusher() pusher[T] {
	return pusher[T]{push: o.add, idle: o.flush, after: o.offer}
}

// add appends v with its token to the current chunk and sends the chunk when
// it is full. It fails only when the run aborts.
func (o *outbox[T]) add(v T, t *ack.Token) error {
	if o.push(v, t) {
		return o.flush()
	}
	return nil
}

// push appends v with its token to the current chunk and reports whether the
// chunk is now full.
func (o *outbox[T]) push(v T, t *ack.Token) (full bool) {
	if o.cur == nil {
		o.cur = o.e.get()
	}
	c := o.cur
	if t != nil && !c.tracked {
		c.tracked = true
		c.acks = append(c.acks[:0], make([]*ack.Token, len(c.items))...)
	}
	c.items = append(c.items, v)
	if c.tracked {
		c.acks = append(c.acks, t)
	}
	return len(c.items) >= chunkSize
}

// flush sends the current chunk, waiting for room on the edge until the run
// aborts (errAborted).
func (o *outbox[T]) flush() error {
	if o.cur == nil || len(o.cur.items) == 0 {
		return nil
	}
	select { // the common case, without the cost of a select on several cases
	case o.e.ch <- o.cur:
		o.cur = nil
		return nil
	default:
	}
	select {
	case o.e.ch <- o.cur:
		o.cur = nil
		return nil
	case <-o.done:
		return errAborted
	}
}

// offer sends the current chunk if the edge has room, and keeps it otherwise.
func (o *outbox[T]) offer() {
	if o.cur == nil || len(o.cur.items) == 0 {
		return
	}
	select {
	case o.e.ch <- o.cur:
		o.cur = nil
	default:
	}
}
