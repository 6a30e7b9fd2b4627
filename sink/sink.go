// Package sink provides generic sinks for handlers: functions, printing,
// writers, channels, collecting (for tests) and discarding. Each is a
// [stream.Sink]: pass it to [stream.Handle] after the handler.
//
//	stream.Handle(app, numbers, stream.Yield(evens), sink.Print[string]())
//
// Kafka topics, the Cache and [stream.Proxy] are sinks too; they live in
// their own packages.
package sink

import (
	"context"
	"fmt"
	"github.com/slipstream-go/slipstream/internal/flow"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/slipstream-go/slipstream/stream"
)

// FuncSink is the sink [Func] returns.
type FuncSink[T any] struct {
	name string
	f    func(ctx context.Context, v T) error
}

// Func returns a sink that calls f with each output. An error from f fails
// the app, prefixed with the sink's name: f's name, or the one
// [FuncSink.Named] gives it.
func Func[T any](f func(ctx context.Context, v T) error) *FuncSink[T] {
	if f == nil {
		panic("sink.Func: f is nil")
	}
	return &FuncSink[T]{name: flow.FuncName(f), f: f}
}

// Named returns a copy of the sink called name.
func (s *FuncSink[T]) Named(name string) *FuncSink[T] {
	return &FuncSink[T]{name: name, f: s.f}
}

// Send calls the function with v.
func (s *FuncSink[T]) Send(ctx context.Context, v T) error { return s.f(ctx, v) }

// String returns the sink's name.
func (s *FuncSink[T]) String() string { return s.name }

// WriterSink is the sink [Print] and [Writer] return.
type WriterSink[T any] struct {
	mu sync.Mutex // several handlers may share one writer
	w  io.Writer
}

// Print returns a sink that prints each output on its own line of standard
// output, as [fmt.Println] does.
func Print[T any]() *WriterSink[T] { return &WriterSink[T]{w: os.Stdout} }

// Writer returns a sink that writes each output on its own line of w,
// formatted as [fmt.Println] formats it. Handlers sharing the sink take turns.
func Writer[T any](w io.Writer) *WriterSink[T] {
	if w == nil {
		panic("sink.Writer: w is nil")
	}
	return &WriterSink[T]{w: w}
}

// Send writes v and a newline.
func (s *WriterSink[T]) Send(_ context.Context, v T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := fmt.Fprintln(s.w, v)
	return err
}

// Collector is a sink that keeps every output, for tests.
type Collector[T any] struct {
	mu    sync.Mutex
	items []T
}

// Collect returns an empty [Collector].
func Collect[T any]() *Collector[T] { return &Collector[T]{} }

// Send keeps v.
func (c *Collector[T]) Send(_ context.Context, v T) error {
	c.mu.Lock()
	c.items = append(c.items, v)
	c.mu.Unlock()
	return nil
}

// Items returns a copy of the outputs kept so far, in the order they came.
func (c *Collector[T]) Items() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.items)
}

// Len returns the number of outputs kept so far.
func (c *Collector[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Chan returns a sink that sends each output on ch, waiting while ch is full
// (or until the app aborts).
func Chan[T any](ch chan<- T) stream.SinkFunc[T] {
	if ch == nil {
		panic("sink.Chan: ch is nil")
	}
	return func(ctx context.Context, v T) error {
		select {
		case ch <- v:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// Discard returns a sink that drops every output.
func Discard[T any]() stream.SinkFunc[T] {
	return func(context.Context, T) error { return nil }
}
