package flow

import "github.com/slipstream-go/slipstream/internal/ack"

// A pusher takes a node's items one at a time, in the goroutine that drives
// the node. Stateless steps (Map, Filter, FlatMap, Scan, ...) wrap the pusher
// of the step after them, so a chain of them runs as plain function calls in
// one goroutine, the source's Feed included (see Writer); only Merge, Tee,
// Batch, MapConcurrent and Async hand items to another goroutine, through an
// edge.
type pusher[T any] struct {
	push    func(v T, t *ack.Token) error
	pushRun func(vs []T) error // pushes untracked items in a row, as push each; may be nil
	idle    func() error       // the driving goroutine is about to wait for input; may be nil
	after   func()             // the driving goroutine has pushed a whole chunk; may be nil
}

// via returns a pusher that pushes with push and otherwise behaves as down.
func via[T, U any](down pusher[U], push func(T, *ack.Token) error) pusher[T] {
	return pusher[T]{push: push, idle: down.idle, after: down.after}
}

// drain returns a loop that pushes every item of e to down until e closes.
// Before it waits for input it calls down.idle, so that whatever down holds
// goes out rather than wait for a chunk to fill.
func drain[T any](r *run, e *edge[T], down pusher[T]) func() error {
	return func() error {
		for {
			var c *chunk[T]
			var ok bool
			select {
			case c, ok = <-e.ch:
			default:
				if down.idle != nil {
					if err := down.idle(); err != nil {
						return err
					}
				}
				c, ok = <-e.ch // the sender closes e when it stops, aborts included
			}
			if !ok {
				return nil
			}
			err := pushChunk(r, c, down)
			e.release(c)
			if err != nil {
				return err
			}
		}
	}
}

func pushChunk[T any](r *run, c *chunk[T], down pusher[T]) error {
	if r.aborted.Load() {
		return errAborted
	}
	if down.pushRun != nil && !c.tracked {
		if err := down.pushRun(c.items); err != nil {
			return err
		}
	} else {
		for i, v := range c.items {
			if err := down.push(v, c.token(i)); err != nil {
				return err
			}
		}
	}
	if down.after != nil {
		down.after()
	}
	return nil
}

// edgeOf runs n's loop in a goroutine of its own that sends n's items down a
// new edge, and returns the edge.
func edgeOf[T any](r *run, n *node[T]) *edge[T] {
	e := newEdge[T]()
	out := newOutbox(r, e)
	loop := n.wire(r, out.pusher())
	r.spawn(func() error {
		defer close(e.ch)
		if err := loop(); err != nil {
			return err
		}
		return out.flush()
	})
	return e
}

// fused returns a stream whose items step makes from in's, in the goroutine
// that drives in. step is called each time the stream is wired, so state it
// keeps is per run, and per copy of a handler (see Handler.Parallel).
func fused[T, U any](name string, in *node[T], step func(r *run, down pusher[U]) func(T, *ack.Token) error) Stream[U] {
	n := &node[U]{name: name, origins: in.origins, single: in.single}
	n.wire = func(r *run, down pusher[U]) func() error {
		return in.wire(r, via(down, step(r, down)))
	}
	return Stream[U]{n}
}
