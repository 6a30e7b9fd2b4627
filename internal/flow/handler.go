package flow

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// A Handler turns each input of type T into zero or more outputs of type U.
// Package stream makes them from plain functions.
type Handler[T, U any] struct {
	Name string
	Fn   func(ctx context.Context, in T, emit func(U)) error
	One  func(T) U // set for one output per input: called directly, and for runs
	Do   func(T)   // set for no output: called directly
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
