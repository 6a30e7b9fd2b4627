package flow

import "context"

// A Sink receives a handler's outputs; see stream.Sink.
type Sink[T any] interface {
	Send(ctx context.Context, v T) error
}

// An AsyncSink accepts outputs after it takes them; see streamio.AsyncSink.
type AsyncSink[T any] interface {
	Sink[T]
	SendAsync(ctx context.Context, v T, done func(error)) error
}

// A BatchSink takes outputs in runs; see streamio.BatchSink.
type BatchSink[T any] interface {
	AsyncSink[T]
	SendBatch(ctx context.Context, vs []T, dones []func(error), untracked func(error)) error
}

// BatchSize is the most outputs the app hands a [BatchSink] in one call.
const BatchSize = chunkSize

// A Closer holds resources while its app runs; see streamio.Closer.
type Closer interface {
	Close(ctx context.Context) error
}

type abortedKey struct{}

// Aborted reports whether ctx is the context an app closes its resources
// with after it failed; see streamio.Aborted.
func Aborted(ctx context.Context) bool {
	aborted, _ := ctx.Value(abortedKey{}).(bool)
	return aborted
}
