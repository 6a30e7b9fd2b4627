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
	var outs []stream.Sink[output[T, K, A]]
	if _, local := op.st.(cacheState); local {
		outs = append(outs, stateSink[T, K, A]{op.st}) // written at once: no need to be async
	} else {
		outs = append(outs, stateSinkAsync[T, K, A]{stateSink[T, K, A]{op.st}})
	}
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

// stateSink applies an operator's writes to its state.
type stateSink[T, K, A any] struct{ st State }

func (s stateSink[T, K, A]) Send(ctx context.Context, o output[T, K, A]) error {
	if o.kind != outWrite {
		return nil
	}
	return s.st.send(ctx, o.write, func(error) {})
}

// stateSinkAsync applies an operator's writes to a table, accepting each
// once the table's changelog has it.
type stateSinkAsync[T, K, A any] struct{ stateSink[T, K, A] }

func (s stateSinkAsync[T, K, A]) SendAsync(ctx context.Context, o output[T, K, A], done func(error)) error {
	if o.kind != outWrite {
		done(nil)
		return nil
	}
	return s.st.send(ctx, o.write, done)
}

func (s stateSink[T, K, A]) Origin() any { return s.st.origin() }

func (s stateSink[T, K, A]) String() string { return "window state" }

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
