package flow

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// A Source writes a stream's items to a [Writer]; see stream.Source.
type Source[T any] interface {
	Feed(ctx context.Context, w *Writer[T]) error
}

// A Partitioned source shares its items out among its concurrent Feeds by
// partition, each partition's items to one Feed, in order; see
// streamio.Partitioned.
type Partitioned interface {
	Partitioned() bool
}

// An Origin is a source fed through another value, such as a replay of a
// Cache fed by the Cache as a sink, or a sink that writes through another;
// see streamio.Origin.
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
	// single is why the node cannot be wired more than once in a run, as
	// a handler's copies would wire it (see Handler.Parallel); "" if it can.
	single string

	mu       sync.Mutex
	consumer string // who reads this stream; empty until taken
}

// An origin is one source a stream reads from, with the gate that pauses it.
type origin struct {
	src  any
	gate *gate
}

// From returns a stream of the items that feed writes. src is the source
// as its user made it: it names the stream, and the app closes it, stops it
// and matches it with sinks (a Proxy is both). When subscribe is not nil,
// the app calls it before anything runs and feeds the source it returns
// instead of feed, so that a reader bound before the app runs misses
// nothing.
//
// The source's Feed runs in the goroutine that reads the stream, and each
// item it writes goes through the steps after it as function calls.
func From[T any](src any, feed Source[T], subscribe func() Source[T]) Stream[T] {
	g := newGate()
	n := &node[T]{name: Describe(src), origins: []origin{{src: src, gate: g}}, single: unpartitioned(src)}
	n.wire = func(r *run, down pusher[T]) func() error {
		feed := feed
		if subscribe != nil {
			feed = subscribe()
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

// unpartitioned returns why src cannot be fed by several readers at once,
// each reading its own share, or "" if it can: it, or its Origin, is
// Partitioned.
func unpartitioned(src any) string {
	for _, v := range []any{src, target(src)} {
		if p, ok := v.(Partitioned); ok && p.Partitioned() {
			return ""
		}
	}
	return fmt.Sprintf("%s is not partitioned (streamio.Partitioned): each copy would read all of its items", Describe(src))
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

// Bound reports whether a handler or a combinator reads s.
func (s Stream[T]) Bound() bool {
	n := s.node()
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.consumer != ""
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

// input returns the node of s, which a combinator named consumer reads.
func input[T any](s Stream[T], consumer string) *node[T] {
	return s.take(consumer)
}
