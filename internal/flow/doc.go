// Package flow is the engine under package stream: it wires a stream's
// plan into a run and drives items through it.
//
//   - A [Stream] is a plan: a node per step, each with the sources
//     (origins) it reads and a wire function that connects it within a run.
//   - A run (run.go) is one execution of an app: the goroutines of its
//     steps and the contexts that drain or abort them.
//   - Within a goroutine, steps are pushers (stage.go): a source's
//     [Writer] pushes an item through Map, Filter, ..., the handler and its
//     emitter as plain function calls. Between goroutines (Merge, Tee,
//     Batch, Async, MapConcurrent) items travel in chunks over edges
//     (chunk.go), filled with what is ready and never waiting to fill.
//   - A handler made Parallel (handler.go) is wired n times in one run
//     (app.go): n Feeds of each source, each with its own steps, handler
//     and emitter, sharing the sinks and the gate. Only a node whose
//     single is "" can be: every source it reads is Partitioned, and
//     nothing in it (Take, a Tee branch) must see every item.
//   - A gate (gate.go) holds a source while its stream is paused.
//   - The emitter (emitter.go) sends a handler's outputs to its sinks, in
//     runs to a [BatchSink], and counts what async sinks have yet to report.
//   - An app's Monitor (observe.go), set by package metrics, is told of
//     its sources and sinks when it starts and gives each handler its
//     instruments, which a pusher wraps the handler's pusher with.
//   - Each item of a tracked source carries an ack.Token; the rules every
//     step follows for it are in package internal/ack, and stream's
//     DELIVERY.md walks the whole path.
//
// Package stream gives pipeline authors the API and its documentation;
// package streamio gives source and sink authors theirs. The engine's
// exported names are for those two packages alone.
package flow
