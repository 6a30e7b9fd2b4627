package stream

import (
	"fmt"
	"sync"
)

// Tee returns n streams that each carry every item of src, in order. The
// slowest of them sets the pace: Tee never buffers without bound. An item
// counts as delivered once every branch has delivered it. Every branch must
// be read, or [App.Run] fails at start.
func Tee[T any](src Source[T], n int) []Stream[T] {
	mustPositive("Tee", "n", n)
	in := input(src, "Tee")
	name := fmt.Sprintf("Tee(%s)", in.name)

	var once sync.Once
	var outs []*edge[T]
	opened := make([]bool, n)
	start := func(r *run) {
		src := in.open(r)
		outs = make([]*edge[T], n)
		boxes := make([]*outbox[T], n)
		for i := range outs {
			outs[i] = newEdge[T]()
			boxes[i] = &outbox[T]{e: outs[i], done: r.done}
		}
		r.check(func() error {
			for i, ok := range opened {
				if !ok {
					return fmt.Errorf("stream: branch %d of %s is not read by anything", i, name)
				}
			}
			return nil
		})
		r.spawn(name, func() error {
			err := consume(r, src, func(c *chunk[T]) error {
				for i, v := range c.items {
					t := c.token(i)
					t.Add(n - 1)
					for _, b := range boxes {
						if err := b.add(v, t); err != nil {
							return err
						}
					}
				}
				for _, b := range boxes {
					if err := b.flush(); err != nil {
						return err
					}
				}
				return nil
			}, nil, nil)
			for _, b := range boxes {
				if err == nil {
					err = b.flush()
				}
				close(b.e.ch)
			}
			return err
		})
	}

	branches := make([]Stream[T], n)
	for i := range branches {
		bn := &node[T]{name: fmt.Sprintf("%s[%d]", name, i), origins: in.origins}
		bn.open = func(r *run) *edge[T] {
			once.Do(func() { start(r) })
			opened[i] = true
			return outs[i]
		}
		branches[i] = Stream[T]{bn}
	}
	return branches
}
