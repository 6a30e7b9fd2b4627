package stream

// consume receives chunks from e until it closes, calling fn on each and then
// releasing it. Before it waits for input it calls idle (a stage flushes its
// outputs there), and after each chunk it calls after (a stage offers its
// outputs downstream there); either may be nil. It returns fn's first error,
// idle's, or errAborted when the run aborts.
func consume[T any](r *run, e *edge[T], fn func(*chunk[T]) error, idle func() error, after func()) error {
	for {
		var c *chunk[T]
		var ok bool
		select {
		case c, ok = <-e.ch:
		default:
			if idle != nil {
				if err := idle(); err != nil {
					return err
				}
			}
			select {
			case c, ok = <-e.ch:
			case <-r.done:
				return errAborted
			}
		}
		if !ok {
			return nil
		}
		err := fn(c)
		e.release(c)
		if err != nil {
			return err
		}
		if after != nil {
			after()
		}
	}
}

// stage returns a stream whose items a goroutine makes from in's chunks with
// process, writing them to its outbox. The goroutine flushes its outputs
// whenever it would wait for input, so items never wait for a chunk to fill.
func stage[T, U any](name string, in *node[T], process func(r *run, c *chunk[T], out *outbox[U]) error) Stream[U] {
	n := &node[U]{name: name, origins: in.origins}
	n.open = func(r *run) *edge[U] {
		src := in.open(r)
		e := newEdge[U]()
		out := &outbox[U]{e: e, done: r.done}
		r.spawn(name, func() error {
			err := consume(r, src, func(c *chunk[T]) error { return process(r, c, out) }, out.flush, out.offer)
			if err != nil {
				close(e.ch)
				return err
			}
			return out.close()
		})
		return e
	}
	return Stream[U]{n}
}
