package window

import (
	"context"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Handle binds op to app as the handler of src, sending its results to
// sinks. The operator's writes to its state, its results and its late
// records are all outputs of the record they come from: with a Kafka
// source, a record's offset is committed only once its state's changelog,
// the result sinks and the late sink have them.
func Handle[T, K, A any](app *stream.App, src stream.Source[T], op *Operator[T, K, A], sinks ...stream.Sink[Result[K, A]]) {
	outs := []stream.Sink[output[T, K, A]]{stateSinkOf(op.st, func(o *output[T, K, A]) (write, bool) {
		return o.write, o.kind == outWrite
	})}
	for _, s := range sinks {
		outs = append(outs, route(s, func(o *output[T, K, A]) (Result[K, A], bool) {
			return o.result, o.kind == outResult
		}))
	}
	if op.late != nil {
		outs = append(outs, route(op.late, func(o *output[T, K, A]) (T, bool) {
			return o.late, o.kind == outLate
		}))
	}
	stream.Handle(app, src, stream.YieldErr(op.handle).Named(op.String()), outs...)
}

// stateSinkOf returns the sink of a handler's outputs O that applies to
// st the writes that pick picks. A table's sink is async, accepting each
// write once the table's changelog has it; a cache is written at once.
func stateSinkOf[O any](st State, pick func(*O) (write, bool)) stream.Sink[O] {
	s := stateSink[O]{st, pick}
	if _, local := st.(cacheState); local {
		return s
	}
	return stateSinkAsync[O]{s}
}

// stateSink applies a handler's writes to its state.
type stateSink[O any] struct {
	st   State
	pick func(*O) (write, bool)
}

func (s stateSink[O]) Send(ctx context.Context, o O) error {
	w, ok := s.pick(&o)
	if !ok {
		return nil
	}
	return s.st.send(ctx, w, func(error) {})
}

// stateSinkAsync applies a handler's writes to a table, accepting each
// once the table's changelog has it.
type stateSinkAsync[O any] struct{ stateSink[O] }

func (s stateSinkAsync[O]) SendAsync(ctx context.Context, o O, done func(error)) error {
	w, ok := s.pick(&o)
	if !ok {
		done(nil)
		return nil
	}
	return s.st.send(ctx, w, done)
}

func (s stateSink[O]) Origin() any { return s.st.origin() }

func (s stateSink[O]) String() string { return "window state" }

// route returns a sink of outputs that sends to s the part that pick
// picks, and ignores the rest. It is async when s is, so that s accepts
// as it would bound on its own, and is s for the app (see
// streamio.Origin), which thus closes s when it stops.
func route[O, V any](s stream.Sink[V], pick func(*O) (V, bool)) stream.Sink[O] {
	r := routed[O, V]{sink: s, pick: pick}
	if a, ok := s.(streamio.AsyncSink[V]); ok {
		return routedAsync[O, V]{r, a}
	}
	return r
}

type routed[O, V any] struct {
	sink stream.Sink[V]
	pick func(*O) (V, bool)
}

func (r routed[O, V]) Send(ctx context.Context, o O) error {
	v, ok := r.pick(&o)
	if !ok {
		return nil
	}
	return r.sink.Send(ctx, v)
}

func (r routed[O, V]) Origin() any {
	if o, ok := r.sink.(streamio.Origin); ok {
		return o.Origin()
	}
	return r.sink
}

type routedAsync[O, V any] struct {
	routed[O, V]
	async streamio.AsyncSink[V]
}

func (r routedAsync[O, V]) SendAsync(ctx context.Context, o O, done func(error)) error {
	v, ok := r.pick(&o)
	if !ok {
		done(nil)
		return nil
	}
	return r.async.SendAsync(ctx, v, done)
}
