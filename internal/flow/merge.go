package flow

import (
	"cmp"
	"fmt"
	"strings"
	"sync/atomic"
)

// Merge implements stream.Merge.
func Merge[T any](srcs ...Stream[T]) Stream[T] {
	if len(srcs) == 0 {
		panic("stream.Merge: no sources")
	}
	ins := make([]*node[T], len(srcs))
	names := make([]string, len(srcs))
	var origins []origin
	single := ""
	for i, s := range srcs {
		ins[i] = input(s, "Merge")
		names[i] = ins[i].name
		origins = append(origins, ins[i].origins...)
		single = cmp.Or(single, ins[i].single)
	}
	n := &node[T]{name: fmt.Sprintf("Merge(%s)", strings.Join(names, ", ")), origins: origins, single: single}
	n.wire = func(r *run, down pusher[T]) func() error {
		e := newEdge[T]()
		var open atomic.Int32
		open.Store(int32(len(ins)))
		for _, in := range ins {
			out := newOutbox(r, e) // each source fills chunks of its own
			loop := in.wire(r, out.pusher())
			r.spawn(func() error {
				defer func() {
					if open.Add(-1) == 0 {
						close(e.ch)
					}
				}()
				if err := loop(); err != nil {
					return err
				}
				return out.flush()
			})
		}
		return drain(r, e, down)
	}
	return Stream[T]{n}
}
