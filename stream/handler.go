package stream

import (
	"context"
	"fmt"
	"iter"
	"reflect"
	"runtime"
	"strings"
)

// A Handler turns each input of type T into zero or more outputs of type U.
// Make one from a plain function with [Func], [FuncErr], [Yield], [YieldErr],
// [Seq], [Do] or [DoErr], and bind it with [Handle].
type Handler[T, U any] struct {
	name string
	fn   func(ctx context.Context, in T, emit func(U)) error
	one  func(T) U // set by Func: one output per input, called directly
	do   func(T)   // set by Do: no output, called directly
}

// Name returns the handler's name, used in errors: the function's name unless
// [Handler.Named] set another.
func (h Handler[T, U]) Name() string { return h.name }

// Named returns a copy of h called name.
func (h Handler[T, U]) Named(name string) Handler[T, U] {
	h.name = name
	return h
}

func newHandler[T, U any](f any, fn func(ctx context.Context, in T, emit func(U)) error) Handler[T, U] {
	return Handler[T, U]{name: funcName(f), fn: fn}
}

// Func makes a handler that returns one output for each input.
func Func[T, U any](f func(T) U) Handler[T, U] {
	mustFunc("Func", "f", f)
	h := newHandler(f, func(_ context.Context, in T, emit func(U)) error {
		emit(f(in))
		return nil
	})
	h.one = f
	return h
}

// FuncErr makes a handler that returns one output for each input, or an
// error that fails the app.
func FuncErr[T, U any](f func(context.Context, T) (U, error)) Handler[T, U] {
	mustFunc("FuncErr", "f", f)
	return newHandler(f, func(ctx context.Context, in T, emit func(U)) error {
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
	mustFunc("Yield", "f", f)
	return newHandler(f, func(_ context.Context, in T, emit func(U)) error {
		f(in, emit)
		return nil
	})
}

// YieldErr is [Yield] for a function that takes a context and may fail.
func YieldErr[T, U any](f func(ctx context.Context, in T, emit func(U)) error) Handler[T, U] {
	mustFunc("YieldErr", "f", f)
	return Handler[T, U]{name: funcName(f), fn: f}
}

// Seq makes a handler that returns a Go iterator of zero or more outputs for
// each input.
func Seq[T, U any](f func(T) iter.Seq[U]) Handler[T, U] {
	mustFunc("Seq", "f", f)
	return newHandler(f, func(ctx context.Context, in T, emit func(U)) error {
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
	mustFunc("Do", "f", f)
	h := newHandler(f, func(_ context.Context, in T, _ func(struct{})) error {
		f(in)
		return nil
	})
	h.do = f
	return h
}

// DoErr is [Do] for a function that takes a context and may fail.
func DoErr[T any](f func(context.Context, T) error) Handler[T, struct{}] {
	mustFunc("DoErr", "f", f)
	return newHandler(f, func(ctx context.Context, in T, _ func(struct{})) error {
		return f(ctx, in)
	})
}

// funcName returns the name of the function f without its package, the same
// under go run and go test: "greet", "strings.ToUpper" is "ToUpper", and
// "main.func1" is the first function literal in main.
func funcName(f any) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.Index(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, "-fm") // a method value
}

// mustFunc panics with a message naming fn's argument arg if f is nil.
func mustFunc(fn, arg string, f any) {
	if reflect.ValueOf(f).IsNil() {
		panic(fmt.Sprintf("stream.%s: %s is nil", fn, arg))
	}
}

// mustPositive panics with a message naming fn's argument arg if n < 1.
func mustPositive(fn, arg string, n int) {
	if n < 1 {
		panic(fmt.Sprintf("stream.%s: %s must be at least 1, got %d", fn, arg, n))
	}
}
