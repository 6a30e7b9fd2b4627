package flow

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// A Handler turns each input of type T into zero or more outputs of type U.
// Package stream makes them from plain functions (stream.Handler is this
// type, so that package onerror can give one a policy); its fields are
// unexported so that a user of stream sees none of them.
type Handler[T, U any] struct {
	name   string
	fn     func(ctx context.Context, in T, emit func(U)) error
	one    func(T) U  // set for one output per input: called directly, and for runs
	do     func(T)    // set for no output: called directly
	policy *Policy[T] // what a failure does; nil: it stops the app
	copies int        // how many copies of it an app runs; 0 means 1
}

// NewHandler returns the handler called name that runs fn for each input.
func NewHandler[T, U any](name string, fn func(ctx context.Context, in T, emit func(U)) error) Handler[T, U] {
	return Handler[T, U]{name: name, fn: fn}
}

// Name returns h's name, used in errors and logs.
func (h Handler[T, U]) Name() string { return h.name }

// Valid reports whether h was made by NewHandler, not the zero Handler.
func (h Handler[T, U]) Valid() bool { return h.fn != nil }

// Named returns a copy of h called name.
func (h Handler[T, U]) Named(name string) Handler[T, U] {
	h.name = name
	return h
}

// WithOne returns a copy of h that calls f, which makes the one output of
// each input, directly: fn must do the same.
func (h Handler[T, U]) WithOne(f func(T) U) Handler[T, U] {
	h.one = f
	return h
}

// WithDo returns a copy of h that calls f, which makes no output, directly:
// fn must do the same.
func (h Handler[T, U]) WithDo(f func(T)) Handler[T, U] {
	h.do = f
	return h
}

// Parallel returns a copy of h that an app runs as n copies, each on its
// own copy of the stream h reads; see stream.Handler.Parallel. It panics
// if n < 1.
func (h Handler[T, U]) Parallel(n int) Handler[T, U] {
	MustPositive("Handler.Parallel", "n", n)
	h.copies = n
	return h
}

// Copies returns how many copies of h an app runs: 1 unless
// [Handler.Parallel] said otherwise.
func (h Handler[T, U]) Copies() int { return max(h.copies, 1) }

// Policy returns h's error policy; nil if it has none.
func (h Handler[T, U]) Policy() *Policy[T] { return h.policy }

// WithPolicy returns a copy of h under p.
func (h Handler[T, U]) WithPolicy(p *Policy[T]) Handler[T, U] {
	h.policy = p
	return h
}

// FuncName returns the name of the function f without its package, the same
// under go run and go test: "greet", "strings.ToUpper" is "ToUpper", and
// "main.func1" is the first function literal in main.
func FuncName(f any) string {
	name := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.Index(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, "-fm") // a method value
}

// MustFunc panics with a message naming fn's argument arg if f is nil.
func MustFunc(fn, arg string, f any) {
	if reflect.ValueOf(f).IsNil() {
		panic(fmt.Sprintf("stream.%s: %s is nil", fn, arg))
	}
}

// MustPositive panics with a message naming fn's argument arg if n < 1.
func MustPositive(fn, arg string, n int) {
	if n < 1 {
		panic(fmt.Sprintf("stream.%s: %s must be at least 1, got %d", fn, arg, n))
	}
}

// Describe names a source or sink for messages: its String method, the name
// of the function it is, or its type.
func Describe(v any) string {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	if reflect.ValueOf(v).Kind() == reflect.Func {
		return FuncName(v)
	}
	return fmt.Sprintf("%T", v)
}
