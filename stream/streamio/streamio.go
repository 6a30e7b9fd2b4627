// Package streamio is what the author of a source or a sink needs beyond
// package stream: tracked items, whose acknowledgement comes back once
// every output made from them is accepted (a Kafka consumer commits by
// it); pauses a source waits out on its own terms; and the sinks that
// accept later or take outputs in runs. A pipeline author never needs it.
//
// # Delivery
//
// A source adds a tracked item with [AddTracked], giving an [Acceptor] and
// a number of its choosing. The app counts the outputs made from the item
// through every step (a filter that drops it, a handler that makes three
// outputs, a sink that accepts on a delivery report) and calls
// Accept(seq) once, when the last of them is accepted. An item whose
// outputs are never accepted, because the app failed or stopped first, is
// never accepted. DELIVERY.md, beside package stream, walks a Kafka
// message to its sinks and its acknowledgement back to the commit.
//
// # Pausing
//
// A paused stream's [stream.Writer] blocks an Add until the stream
// resumes. A source that must keep working meanwhile (a Kafka consumer
// polls, or it leaves its group) checks [Paused] before it adds, and holds
// its items until [WaitResumed] returns.
//
// # Operations
//
// A source or sink that has metrics of its own implements [Instrumented]:
// an app with metrics offers it its registry when it starts. One that knows
// whether it is healthy and doing its work implements [Prober], for the
// app's /healthz and /readyz (package metrics).
package streamio

import (
	"context"

	"github.com/slipstream-go/slipstream/internal/ack"
	"github.com/slipstream-go/slipstream/internal/flow"
	"github.com/slipstream-go/slipstream/stream"
)

// An Acceptor is told, by Accept(seq), that every output made from the item
// a source added as number seq has been accepted. A source that tracks many
// items implements it once rather than make a function per item.
type Acceptor = ack.Acceptor

// AcceptorFunc adapts a function to an [Acceptor].
type AcceptorFunc func(seq uint64)

// Accept calls f(seq).
func (f AcceptorFunc) Accept(seq uint64) { f(seq) }

// A Discarder is an [Acceptor] that may learn, while an item waits for its
// paused stream to resume, that the item is no longer wanted: a Kafka
// message whose partition was sought during the pause. [AddTracked] asks
// once the stream has resumed, and drops such an item without handing it on
// or accepting it.
type Discarder interface {
	Acceptor
	Discarded(seq uint64) bool
}

// AddTracked hands v on, as [stream.Writer.Add] does, as a tracked item:
// a.Accept(seq) runs once every output derived from v has been accepted by
// its sinks (or v was dropped on the way), possibly before AddTracked
// returns.
func AddTracked[T any](ctx context.Context, w *stream.Writer[T], v T, a Acceptor, seq uint64) error {
	return (*flow.Writer[T])(w).AddTracked(ctx, v, a, seq)
}

// Paused reports whether the stream w feeds is paused. It may be called
// from any goroutine.
func Paused[T any](w *stream.Writer[T]) bool {
	return (*flow.Writer[T])(w).Paused()
}

// WaitResumed returns at once if the stream w feeds is not paused, and
// otherwise once it is resumed, ctx is done (with ctx's error), or the app
// aborts. It may be called from any goroutine; a source that holds an item
// while paused waits here, then checks that the item is still wanted.
func WaitResumed[T any](ctx context.Context, w *stream.Writer[T]) error {
	return (*flow.Writer[T])(w).WaitResumed(ctx)
}

// A Subscribable source hands each reader only the items that arrive after
// it subscribed, as a [stream.Proxy] does. The app subscribes every such
// source bound to it before it starts any handler, so that a reader bound
// before [stream.App.Run] sees every item, and feeds every source Subscribe
// returns, so that each can unsubscribe when its Feed returns (with a done
// context if the app fails before it starts).
type Subscribable[T any] interface {
	stream.Source[T]
	Subscribe() stream.Source[T]
}

// A Partitioned source shares its items out among its concurrent Feeds by
// partition: each partition's items go to one Feed, in order, as a Kafka
// topic's messages go to the consumers of its group, each Feed being one.
// Partitioned reports whether it does; a Kafka topic always does. A handler
// whose stream reads only such sources can run as several copies (see
// [stream.Handler.Parallel]), each with its own Feed of every source.
type Partitioned interface {
	Partitioned() bool
}

// An Origin is a source fed through another value, such as a replay of a
// Cache's contents and changes, fed by the Cache as a sink. The app stops it,
// as it stops a [stream.Proxy], once the handlers that write to Origin()
// have ended.
//
// A sink that writes through another value, such as a checkpoint's
// HeartbeatSink around a Cache, is an Origin too: the app takes it for
// Origin(), both to tell which handlers write to a source and to close it
// (if Origin() is a [Closer]) once, whichever way it was bound.
type Origin interface {
	Origin() any
}
