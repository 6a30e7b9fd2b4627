package streamio

import (
	"context"

	"github.com/slipstream-go/slipstream/internal/flow"
	"github.com/slipstream-go/slipstream/stream"
)

// An AsyncSink accepts outputs some time after it takes them, as a Kafka
// producer does on its delivery report. The app calls SendAsync instead of
// Send; the sink calls done exactly once per output, with nil when the output
// is accepted or with the error that lost it, which fails the app.
// SendAsync's own error means v was not taken; done is then not called.
type AsyncSink[T any] interface {
	stream.Sink[T]
	SendAsync(ctx context.Context, v T, done func(error)) error
}

// A BatchSink is an [AsyncSink] that takes outputs in runs, which costs it
// less per output, as a Kafka topic's producer does. The app collects each
// handler's outputs for it and calls SendBatch with up to [BatchSize] of
// them: when it has that many, when the handler's source is about to wait
// for input (see [stream.Writer.Flush]), and when the handler ends.
//
// SendBatch takes vs in order. dones[i] is vs[i]'s done function, called
// exactly once as SendAsync's done is; it is nil when vs[i] is untracked,
// and the sink then calls untracked once for it instead. untracked is the
// same function for every output of a handler to the sink, so a sink may
// count such outputs rather than hold a function for each. vs and dones
// belong to the app, which reuses them once SendBatch returns. SendBatch's
// error means that no output of vs was taken and no done will be called.
type BatchSink[T any] interface {
	AsyncSink[T]
	SendBatch(ctx context.Context, vs []T, dones []func(error), untracked func(error)) error
}

// BatchSize is the most outputs the app hands a [BatchSink] in one call.
const BatchSize = flow.BatchSize

// A Closer is a source or sink that holds resources while its app runs, such
// as a Kafka producer. The app closes it once, after every handler has
// stopped, with a context that bounds how long closing may take and that
// tells, through [Aborted], whether the app failed. Handler by handler, in
// the order they were bound, the app closes the sources before the sinks;
// the [stream.App.OnClose] hooks run after them all.
type Closer interface {
	Close(ctx context.Context) error
}

// Aborted reports whether ctx is the context an app closes its resources
// with after it failed: nothing more will be accepted downstream, so a
// [Closer] need not wait for the outputs of what it read.
func Aborted(ctx context.Context) bool { return flow.Aborted(ctx) }
