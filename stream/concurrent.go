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
	fname := funcName(f)
	node := &node[U]{name: fmt.Sprintf("MapConcurrent(%s)", in.name), origins: in.origins}
	node.wire = func(r *run, down pusher[U]) func() error {
		jobs := make(chan *job[T, U])
		order := make(chan *job[T, U], n) // bounds the items in flight
		dispatch := in.wire(r, pusher[T]{push: func(v T, t *ack.Token) error {
			j := &job[T, U]{in: v, token: t, done: make(chan struct{})}
			for _, c := range []chan *job[T, U]{order, jobs} {
				select {
				case c <- j:
				case <-r.done:
					return errAborted
				}
			}
			return nil
		}})
		r.spawn(func() error { // hands out jobs in input order
			defer close(order)
			defer close(jobs)
			return dispatch()
		})
		for range n {
			r.spawn(func() error {
				for j := range jobs {
					j.out, j.err = f(r.ctx, j.in)
					close(j.done)
				}
				return nil
			})
		}
		return func() error { // collects results in input order
			for {
				j, ok, err := nextJob(order, down.idle)
				if err != nil || !ok {
					return err
				}
				if !isDone(j.done) && down.idle != nil {
					if err := down.idle(); err != nil {
						return err
					}
				}
				select {
				case <-j.done:
				case <-r.done:
					return errAborted
				}
				if j.err != nil {
					return fmt.Errorf("MapConcurrent %s: %w", fname, j.err)
				}
				if err := down.push(j.out, j.token); err != nil {
					return err
				}
			}
		}
	}
	return Stream[U]{node}
}

// nextJob returns the next job from order, false once order is closed.
// Before it waits for one, it calls idle, if not nil, so that what the steps
// downstream hold goes out rather than wait for the next input; idle's
// error is returned.
func nextJob[T, U any](order <-chan *job[T, U], idle func() error) (*job[T, U], bool, error) {
	select {
	case j, ok := <-order:
		return j, ok, nil
	default:
	}
	if idle != nil {
		if err := idle(); err != nil {
			return nil, false, err
		}
	}
	j, ok := <-order
	return j, ok, nil
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
