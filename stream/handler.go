package stream

import (
	"context"
	"iter"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// A Handler turns each input of type T into zero or more outputs of type U.
// Make one from a plain function with [Func], [FuncErr], [Yield], [YieldErr],
// [Seq], [Do] or [DoErr], and bind it with [Handle]. A handler's error stops
// the app unless package onerror gives the handler a policy: retry, skip,
// dead-letter.
type Handler[T, U any] flow.Handler[T, U]

// Named returns a copy of h called name. A handler's name, used in errors,
// is its function's name unless Named sets another.
func (h Handler[T, U]) Named(name string) Handler[T, U] {
	return Handler[T, U](flow.Handler[T, U](h).Named(name))
}

// Parallel returns a copy of h that the app runs as n copies, each on its
// own goroutine and its own copy of the stream h reads (n = 1, the
// default, is one goroutine for all of it). Each copy reads its own share
// of the source's partitions: each is a consumer in a Kafka topic's group,
// as with Kafka Streams' num.stream.threads, so the items of one partition
// are still handled in order, by one copy, and pausing, seeking and
// committing work as they do with one. Only a stream whose every source is
// partitioned (see streamio.Partitioned; a Kafka topic is) can be read so:
// [Handle] panics otherwise, and for a stream read through [Take] or a
// branch of [Tee].
//
// Above 1, h is called from up to n goroutines at once, so what its
// function closes over must be safe for that. Steps between the source
// and h that keep state ([Scan], [Pairwise], [Batch]) keep it per copy.
// The sinks are shared by the copies and must be safe for concurrent use:
// every sink of this library is, and a [SinkFunc]'s function is called
// concurrently. Parallel panics if n < 1.
func (h Handler[T, U]) Parallel(n int) Handler[T, U] {
	return Handler[T, U](flow.Handler[T, U](h).Parallel(n))
}

func newHandler[T, U any](fn string, f any, run func(ctx context.Context, in T, emit func(U)) error) Handler[T, U] {
	flow.MustFunc(fn, "f", f)
	return Handler[T, U](flow.NewHandler(flow.FuncName(f), run))
}

// Func makes a handler that returns one output for each input.
func Func[T, U any](f func(T) U) Handler[T, U] {
	h := newHandler("Func", f, func(_ context.Context, in T, emit func(U)) error {
		emit(f(in))
		return nil
	})
	return Handler[T, U](flow.Handler[T, U](h).WithOne(f))
}

// FuncErr makes a handler that returns one output for each input, or an
// error that fails the app.
func FuncErr[T, U any](f func(context.Context, T) (U, error)) Handler[T, U] {
	return newHandler("FuncErr", f, func(ctx context.Context, in T, emit func(U)) error {
		out, err := f(ctx, in)
		if err != nil {
			return err
		}
		emit(out)
		return nil
	})
}

// Yield makes a handler that yields zero or more outputs for each input by
// calling emit, like a Python generator's yield. Each output reaches every
// sink before emit returns.
func Yield[T, U any](f func(in T, emit func(U))) Handler[T, U] {
	return newHandler("Yield", f, func(_ context.Context, in T, emit func(U)) error {
		f(in, emit)
		return nil
	})
}

// YieldErr is [Yield] for a function that takes a context and may fail.
func YieldErr[T, U any](f func(ctx context.Context, in T, emit func(U)) error) Handler[T, U] {
	return newHandler("YieldErr", f, f)
}

// Seq makes a handler that returns a Go iterator of zero or more outputs for
// each input.
func Seq[T, U any](f func(T) iter.Seq[U]) Handler[T, U] {
	return newHandler("Seq", f, func(ctx context.Context, in T, emit func(U)) error {
		for out := range f(in) {
			emit(out)
			if ctx.Err() != nil {
				return nil // the app is failing; it reports why
			}
		}
		return nil
	})
}

// Do makes a handler that returns nothing: it acts on each input, and has no
// outputs to send.
func Do[T any](f func(T)) Handler[T, struct{}] {
	h := newHandler("Do", f, func(_ context.Context, in T, _ func(struct{})) error {
		f(in)
		return nil
	})
	return Handler[T, struct{}](flow.Handler[T, struct{}](h).WithDo(f))
}

// DoErr is [Do] for a function that takes a context and may fail.
func DoErr[T any](f func(context.Context, T) error) Handler[T, struct{}] {
	return newHandler("DoErr", f, func(ctx context.Context, in T, _ func(struct{})) error {
		return f(ctx, in)
	})
}
