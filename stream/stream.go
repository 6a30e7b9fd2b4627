package stream

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// A Source is where a stream's items come from: a slice, a channel, a Kafka
// topic, a [Proxy], a Cache's change feed. Every function that takes a
// Source also takes a [Stream], since a Stream is a Source too.
//
// The app calls Feed once for each stream made from the source, when it runs.
// Feed writes the source's items to w in order and returns nil when the
// source is exhausted. When ctx is done, Feed stops reading and returns
// (ctx's error, or nil); the app then lets the items already written drain
// through the stream. Any other error fails the app, which returns it as it
// is: it should say where it comes from, as "kafka: topic emoji: ..." does.
type Source[T any] interface {
	Feed(ctx context.Context, w *Writer[T]) error
}

// SourceFunc adapts a function to a [Source].
type SourceFunc[T any] func(ctx context.Context, w *Writer[T]) error

// Feed calls f(ctx, w). An error f returns is prefixed with f's name.
func (f SourceFunc[T]) Feed(ctx context.Context, w *Writer[T]) error {
	err := f(ctx, w)
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("source %s: %w", f, err)
	}
	return err
}

// String returns the name of the function.
func (f SourceFunc[T]) String() string { return funcName(f) }

// A Subscribable source hands each reader only the items that arrive after it
// subscribed, as a [Proxy] does. The app subscribes every such source bound
// to it before it starts any handler, so that a reader bound before
// [App.Run] sees every item. The app feeds every source that Subscribe
// returns, so that each can unsubscribe when its Feed returns, even when the
// app fails before it starts (it is then fed with a done context).
type Subscribable[T any] interface {
	Source[T]
	// Subscribe registers a new reader and returns the source it reads from.
	Subscribe() Source[T]
}

// An Origin is a source fed through another value, such as a replay of a
// Cache's contents and changes, fed by the Cache as a sink. The app stops it,
// as it stops a [Proxy], once the handlers that write to Origin() have ended.
type Origin interface {
	Origin() any
}

// A Stream is a typed, lazy flow of items. Streams are made from sources
// with [From] and from other streams with combinators such as [Map],
// [Filter] and [Merge]; nothing runs until an [App] runs a handler bound to
// one. Each stream is read by one consumer: use [Tee] to read one twice.
//
// A Stream is a [Source], so it can be passed wherever a source is wanted.
// The zero Stream is not usable.
type Stream[T any] struct {
	n *node[T]
}

// A node is one step of a stream's plan.
type node[T any] struct {
	name    string
	origins []origin // the sources this stream reads, for pausing and stopping
	// wire connects the node's items to down within a run and returns the
	// loop that drives them; the caller runs it in a goroutine of its own.
	wire func(r *run, down pusher[T]) func() error

	mu       sync.Mutex
	consumer string // who reads this stream; empty until taken
}

// An origin is one source a stream reads from, with the gate that pauses it.
type origin struct {
	src  any
	gate *gate
}

// From returns a stream of src's items. Each stream made by From reads src
// anew when its app runs: two streams from one Kafka topic are two consumers.
// From of a Stream returns it unchanged.
//
// The source's Feed runs in the goroutine that reads the stream, and each
// item it writes goes through the steps after it as function calls (see
// [Writer]); [Async] puts a goroutine boundary after it.
func From[T any](src Source[T]) Stream[T] {
	if src == nil {
		panic("stream.From: src is nil")
	}
	if s, ok := src.(Stream[T]); ok {
		return s
	}
	g := newGate()
	name := describe(src)
	n := &node[T]{name: name, origins: []origin{{src: src, gate: g}}}
	n.wire = func(r *run, down pusher[T]) func() error {
		feed := Source[T](src)
		if s, ok := src.(Subscribable[T]); ok {
			feed = s.Subscribe()
			r.onNoStart(func(ctx context.Context) { // let it unsubscribe
				_ = feed.Feed(ctx, newWriter(r, g, pusher[T]{push: discard[T]}))
			})
		}
		w := newWriter(r, g, down)
		ctx := r.feedContext(src, g)
		return func() error {
			err := feed.Feed(ctx, w)
			if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, errStopped)) {
				err = nil // asked to stop
			}
			return err
		}
	}
	return Stream[T]{n}
}

// Feed runs s and writes its items to w, keeping their delivery tracking.
// It lets a Stream serve wherever a [Source] is wanted. When ctx is done, s
// stops reading its sources and Feed returns once what they read has drained.
func (s Stream[T]) Feed(ctx context.Context, w *Writer[T]) error {
	in := s.take("Feed")
	r := newRun(ctx, nil)
	loop := in.wire(r, pusher[T]{
		push: func(v T, t *ack.Token) error { return w.add(ctx, v, t) },
		idle: func() error { return w.Flush(ctx) },
	})
	if err := r.start(); err != nil {
		r.abort()
		return err
	}
	defer context.AfterFunc(ctx, r.stop)()
	if err := loop(); err != nil {
		r.fail(err)
	}
	r.wait()
	return r.err()
}

// Pause pauses every source this stream reads from: a paused source stops
// handing out items (a Kafka topic pauses its partitions and keeps polling)
// until [Stream.Resume]. Items already past the source (a few chunks
// at most, held where the stream crosses goroutines) finish their way
// through the stream. Pausing a paused stream does
// nothing.
func (s Stream[T]) Pause() {
	for _, o := range s.node().origins {
		o.gate.pause()
	}
}

// Resume resumes every source this stream reads from.
func (s Stream[T]) Resume() {
	for _, o := range s.node().origins {
		o.gate.resume()
	}
}

// Paused reports whether any source of this stream is paused.
func (s Stream[T]) Paused() bool {
	for _, o := range s.node().origins {
		if o.gate.paused.Load() {
			return true
		}
	}
	return false
}

// String returns a description of the stream, such as "Map(source.Slice)".
func (s Stream[T]) String() string { return s.node().name }

func (s Stream[T]) node() *node[T] {
	if s.n == nil {
		panic("stream: use of a zero Stream; make streams with From or a combinator")
	}
	return s.n
}

// take marks s as read by consumer and returns its node. A stream has one
// reader: a second one is a programming error, reported at once.
func (s Stream[T]) take(consumer string) *node[T] {
	n := s.node()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.consumer != "" {
		panic(fmt.Sprintf("stream: %s reads %s, which %s already reads; use Tee to read a stream twice", consumer, n.name, n.consumer))
	}
	n.consumer = consumer
	return n
}

// input returns the node that a combinator named consumer reads from src.
func input[T any](src Source[T], consumer string) *node[T] {
	if src == nil {
		panic(fmt.Sprintf("stream.%s: src is nil", consumer))
	}
	return From(src).take(consumer)
}

// describe names a source or sink for messages: its String method, the name
// of the function it is, or its type.
func describe(v any) string {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	if reflect.ValueOf(v).Kind() == reflect.Func {
		return funcName(v)
	}
	return fmt.Sprintf("%T", v)
}
