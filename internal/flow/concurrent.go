package flow

import (
	"context"
	"fmt"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// MapConcurrent implements stream.MapConcurrent.
func MapConcurrent[T, U any](src Stream[T], n int, f func(context.Context, T) (U, error)) Stream[U] {
	MustPositive("MapConcurrent", "n", n)
	MustFunc("MapConcurrent", "f", f)
	in := input(src, "MapConcurrent")
	fname := FuncName(f)
	node := &node[U]{name: fmt.Sprintf("MapConcurrent(%s)", in.name), origins: in.origins, single: in.single}
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
			pushed := false        // items went down since down.idle was last called
			idle := func() error { // before waiting: what the steps down hold goes out
				if !pushed || down.idle == nil {
					return nil
				}
				pushed = false
				return down.idle()
			}
			for {
				var j *job[T, U]
				var ok bool
				select {
				case j, ok = <-order:
				default:
					if err := idle(); err != nil {
						return err
					}
					j, ok = <-order
				}
				if !ok {
					return nil
				}
				if !isDone(j.done) {
					if err := idle(); err != nil {
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
				pushed = true
			}
		}
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
