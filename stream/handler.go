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

// Name returns the handler's name, used in errors: the function's name unless
// [Handler.Named] set another.
func (h Handler[T, U]) Name() string { return flow.Handler[T, U](h).Name() }

// Named returns a copy of h called name.
func (h Handler[T, U]) Named(name string) Handler[T, U] {
	return Handler[T, U](flow.Handler[T, U](h).Named(name))
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
