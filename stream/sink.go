package stream

import "context"

// A Sink receives a handler's outputs: a function, a printer, a [Proxy], a
// Kafka topic, a Cache. The app calls Send with each output in order, from
// one goroutine per handler; an output counts as accepted once Send returns
// nil. An error fails the app. A sink that accepts later (on a delivery
// report) or takes outputs in runs implements the interfaces of package
// streamio as well.
type Sink[T any] interface {
	Send(ctx context.Context, v T) error
}

// SinkFunc adapts a function to a [Sink]; the errors it returns name the
// sink after the function.
type SinkFunc[T any] func(ctx context.Context, v T) error

// Send calls f(ctx, v).
func (f SinkFunc[T]) Send(ctx context.Context, v T) error { return f(ctx, v) }
