package stream

import (
	"context"
	"fmt"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// MapConcurrent is [MapErr] with n calls of f running at once, for work that
// waits (on a network, a disk). Outputs keep the order of their inputs. The
// first error f returns fails the app.
func MapConcurrent[T, U any](src Source[T], n int, f func(context.Context, T) (U, error)) Stream[U] {
	mustPositive("MapConcurrent", "n", n)
	mustFunc("MapConcurrent", "f", f)
	in := input(src, "MapConcurrent")
	name := fmt.Sprintf("MapConcurrent(%s)", in.name)
	fname := funcName(f)
	node := &node[U]{name: name, origins: in.origins}
	node.open = func(r *run) *edge[U] {
		e := in.open(r)
		out := newEdge[U]()
		jobs := make(chan *job[T, U])
		order := make(chan *job[T, U], n) // bounds the items in flight
		r.spawn(name, func() error {      // hands out jobs in input order
			defer close(jobs)
			defer close(order)
			return consume(r, e, func(c *chunk[T]) error {
				for i, v := range c.items {
					j := &job[T, U]{in: v, token: c.token(i), done: make(chan struct{})}
					select {
					case order <- j:
					case <-r.done:
						return errAborted
					}
					select {
					case jobs <- j:
					case <-r.done:
						return errAborted
					}
				}
				return nil
			}, nil, nil)
		})
		for range n {
			r.spawn(name, func() error {
				for j := range jobs {
					j.out, j.err = f(r.ctx, j.in)
					close(j.done)
				}
				return nil
			})
		}
		r.spawn(name, func() error { // collects results in input order
			box := &outbox[U]{e: out, done: r.done}
			for j := range order {
				if len(order) == 0 || !isDone(j.done) {
					if err := box.flush(); err != nil {
						close(out.ch)
						return err
					}
				}
				select {
				case <-j.done:
				case <-r.done:
					close(out.ch)
					return errAborted
				}
				if j.err != nil {
					close(out.ch)
					return fmt.Errorf("MapConcurrent %s: %w", fname, j.err)
				}
				if err := box.add(j.out, j.token); err != nil {
					close(out.ch)
					return err
				}
			}
			return box.close()
		})
		return out
	}
	return Stream[U]{node}
}

type job[T, U any] struct {
	in    T
	out   U
	err   error
	token *ack.Token
	done  chan struct{}
}

func isDone(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
