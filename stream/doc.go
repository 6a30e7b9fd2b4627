// Package stream is the core of slipstream: typed streams of items, the
// combinators that shape them, and the [App] that runs handlers bound to
// sources and sinks.
//
// # Handlers, sources and sinks
//
// A handler is a plain function bound to a [Source] and zero or more
// [Sink]s with [Handle]. When the app runs, every item of the source goes
// through the handler, in order, and every output reaches every sink, in
// sink order, before the handler makes the next:
//
//	app := stream.NewApp()
//	stream.Handle(app, source.Values("🏆", "📞"), stream.Func(greet), sink.Print[string]())
//	err := app.Run(ctx)
//
// A handler comes in the shape that suits it: [Func] returns one output,
// [FuncErr] one output or an error, [Yield] and [Seq] zero or more
// outputs (Python's yield), [Do] nothing at all. A handler that fails fails
// the app; [App.Run] returns the error, prefixed with the handler's name.
// Package onerror gives a handler, or a sink, a policy instead: retry with
// backoff, then skip or dead-letter what it failed on.
//
// Sources are slices, iterators, channels and tickers (package source), Kafka
// topics (package kafka), the Cache's change feed (package kv) and [Proxy],
// which passes messages between handlers of one process. Sinks are functions,
// printers and collectors (package sink), topics, the Cache and Proxy.
//
// # Streams and combinators
//
// A [Stream] is a lazy, typed flow of items, made from a source with [From]
// or from other streams with [Map], [MapErr], [Filter], [FlatMap], [Scan],
// [Pairwise], [Batch], [Take], [Tee], [Merge] and [MapConcurrent]. Every
// combinator takes a Source, and a Stream is a Source, so they nest:
//
//	evens := stream.Filter(numbers, func(n int) bool { return n%2 == 0 })
//	stream.Handle(app, stream.Map(evens, strconv.Itoa), stream.Func(strings.ToUpper), out)
//
// Nothing runs until the app runs. A stream has one reader; [Tee] gives one
// stream several. [Collect] runs a stream on its own, to test it.
//
// # Running, stopping, failing
//
// [App.Run] reads every bound source concurrently until each finite source
// is exhausted and its items are handled, or until its context is cancelled.
// Cancelling drains the app: sources stop reading, the items already read
// reach their sinks, and resources that are a [Closer] close.
// [App.RunUntilSignal] does the same on SIGINT or SIGTERM. The first error
// anywhere aborts the app: every goroutine ends and Run returns the error.
// [App.Ready] tells code outside the app when it has started, so that what
// it sends to a [Proxy] the app reads is not lost. Apps are values: several
// can run in one process.
//
// # Partitions in parallel
//
// A handler reads its source on one goroutine. [Handler.Parallel] runs it
// as n copies instead, each on its own goroutine with its own read of the
// source: for a Kafka topic, each copy is a consumer of the topic's group,
// as with Kafka Streams' num.stream.threads, so the group shares the
// partitions out among the copies. Each partition is still handled in
// order, by one copy; pausing the stream pauses every copy.
//
// # Backpressure and pausing
//
// Every buffer is bounded: a slow sink slows its handler, which slows its
// source. [Stream.Pause] pauses the sources a stream reads from until
// [Stream.Resume]; a Kafka topic pauses its partitions and keeps polling, so
// it stays in its consumer group however long the pause. Items already past
// the sources when the pause starts (a few chunks at most, held where the
// stream crosses goroutines) still reach the handlers.
//
// # Delivery
//
// Items from a tracked source, such as a Kafka message, carry an invisible
// acknowledgement. It fires once every output derived from the item, through
// any combinators, has been accepted by its sinks, and a Kafka source commits
// the message's offset only then: at-least-once delivery. Items that a
// [Filter] drops, or for which a handler yields nothing, are acknowledged at
// once. Untracked items pay nothing for this.
//
// # Performance
//
// A source's Feed runs in the goroutine of the handler that reads it, and
// each item it writes goes through [Map], [Filter], [FlatMap], [Scan],
// [Pairwise], [Take] and the handler as function calls, with no channel in
// between. [Merge], [Tee], [Batch], [MapConcurrent] and [Async] hand items to
// other goroutines, in small chunks filled with what is ready and never
// waiting to fill, so a busy pipeline pays for a channel operation per chunk
// while a lone item still goes straight through. [Async] after a source lets
// the source read ahead of a slow handler. The benchmarks in the repository's
// bench module compare this with hand-written channel pipelines.
//
// # Writing a source or a sink
//
// A [Source] implements Feed, writing items to a [Writer]: [Writer.Add] for
// each item ready, [Writer.Flush] before it waits for more, or
// [Writer.Write] for both; [SourceFunc] makes one from a function. A [Sink]
// implements Send; [SinkFunc] makes one from a function. What goes beyond
// that (tracked items and their acknowledgement, pauses a source waits out
// on its own terms, sinks that accept on a delivery report or take outputs
// in runs, resources the app closes) is in package streamio, and
// DELIVERY.md beside this package walks a Kafka message through it all.
package stream
