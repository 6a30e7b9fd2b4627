package flow

import (
	"fmt"
	"sync"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// Tee implements stream.Tee.
func Tee[T any](src Stream[T], n int) []Stream[T] {
	MustPositive("Tee", "n", n)
	in := input(src, "Tee")
	name := fmt.Sprintf("Tee(%s)", in.name)

	var mu sync.Mutex
	var started *run
	var edges []*edge[T]
	wired := make([]bool, n)
	// start runs src in a goroutine that copies each item to every branch.
	start := func(r *run) {
		edges = make([]*edge[T], n)
		boxes := make([]*outbox[T], n)
		for i := range edges {
			edges[i] = newEdge[T]()
			boxes[i] = newOutbox(r, edges[i])
		}
		r.check(func() error {
			for i, ok := range wired {
				if !ok {
					return fmt.Errorf("stream: branch %d of %s is not read by anything", i, name)
				}
			}
			return nil
		})
		each := func(f func(*outbox[T]) error) error {
			for _, b := range boxes {
				if err := f(b); err != nil {
					return err
				}
			}
			return nil
		}
		loop := in.wire(r, pusher[T]{
			push: func(v T, t *ack.Token) error {
				t.Derive(n - 1)
				return each(func(b *outbox[T]) error { return b.add(v, t) })
			},
			idle:  func() error { return each((*outbox[T]).flush) },
			after: func() { _ = each(func(b *outbox[T]) error { b.offer(); return nil }) },
		})
		r.spawn(func() error {
			defer func() {
				for _, e := range edges {
					close(e.ch)
				}
			}()
			if err := loop(); err != nil {
				return err
			}
			return each((*outbox[T]).flush)
		})
	}

	branches := make([]Stream[T], n)
	for i := range branches {
		bn := &node[T]{name: fmt.Sprintf("%s[%d]", name, i), origins: in.origins,
			single: fmt.Sprintf("%s feeds its branches from one reader of its source", name)}
		bn.wire = func(r *run, down pusher[T]) func() error {
			mu.Lock()
			defer mu.Unlock()
			switch started {
			case nil:
				started = r
				start(r)
			case r:
			default:
				panic(fmt.Sprintf("stream: the branches of %s run in different apps", name))
			}
			wired[i] = true
			return drain(r, edges[i], down)
		}
		branches[i] = Stream[T]{bn}
	}
	return branches
}
