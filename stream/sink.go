package stream

import "context"

// A Sink receives a handler's outputs: a function, a printer, a [Proxy], a
// Kafka topic, a Cache. The app calls Send with each output in order, from
// one goroutine per handler; an output counts as accepted once Send returns
// nil. An error fails the app.
type Sink[T any] interface {
	Send(ctx context.Context, v T) error
}

// An AsyncSink accepts outputs some time after it takes them, as a Kafka
// producer does on its delivery report. The app calls SendAsync instead of
// Send; the sink calls done exactly once per output, with nil when the output
// is accepted or with the error that lost it, which fails the app.
// SendAsync's own error means v was not taken; done is then not called.
type AsyncSink[T any] interface {
	Sink[T]
	SendAsync(ctx context.Context, v T, done func(error)) error
}

// A BatchSink is an [AsyncSink] that takes outputs in runs, which costs it
// less per output than taking them one at a time, as a Kafka topic's
// producer does. The app collects each handler's outputs for it and calls
// SendBatch with a run of them: once it has [BatchSize], whenever the
// handler's source is about to wait for input (see [Writer.Flush]), and
// once the handler has ended, so that no output waits for company.
//
// SendBatch takes vs in order; dones[i] is called exactly once for vs[i],
// as SendAsync's done is. vs and dones belong to the app, which reuses
// them: the sink must not keep them once SendBatch returns. SendBatch's
// error means that no output of vs was taken and no done will be called;
// the app then fails.
type BatchSink[T any] interface {
	AsyncSink[T]
	SendBatch(ctx context.Context, vs []T, dones []func(error)) error
}

// BatchSize is the most outputs the app hands a [BatchSink] in one call.
const BatchSize = chunkSize

// SinkFunc adapts a function to a [Sink].
type SinkFunc[T any] func(ctx context.Context, v T) error

// Send calls f(ctx, v).
func (f SinkFunc[T]) Send(ctx context.Context, v T) error { return f(ctx, v) }

// String returns the name of the function, which errors name the sink by.
func (f SinkFunc[T]) String() string { return funcName(f) }

// A Closer is a source or sink that holds resources while its app runs, such
// as a Kafka producer. The app closes it once, after every handler has
// stopped, with a context that bounds how long closing may take and that
// tells, through [Aborted], whether the app failed. Handler by handler, in
// the order they were bound, the app closes the sources before the sinks;
// the [App.OnClose] hooks run after them all.
type Closer interface {
	Close(ctx context.Context) error
}

type abortedKey struct{}

// Aborted reports whether ctx is the context an app closes its resources
// with after it failed: nothing more will be accepted downstream, so a
// [Closer] need not wait for the outputs of what it read.
func Aborted(ctx context.Context) bool {
	aborted, _ := ctx.Value(abortedKey{}).(bool)
	return aborted
}
