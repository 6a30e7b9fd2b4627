// Package metrics makes an app observable, as a service running in
// production is: Prometheus metrics, and the health endpoints an
// orchestrator probes. It is opt-in and global nowhere: an app reports to
// the registry given to [With], and [Handler] serves it on a mux of your
// own.
//
//	reg := prometheus.NewRegistry()
//	app := stream.NewApp(metrics.With(reg, "billing"))
//	mux.Handle("/", metrics.Handler(reg, app)) // /metrics, /healthz, /readyz
//
// # What is measured
//
// The engine measures each handler (its time per input, its failures,
// what its error policy skipped or dead-lettered); each source and sink
// bound to the app that is [streamio.Instrumented] measures itself: a
// Kafka topic its consumers (messages consumed, consumer lag, commits,
// paused partitions) or its producer (messages delivered and lost, the
// queue), a state table its restores, a checkpoint its downtimes. The
// README's "Running in production" lists every metric.
//
// Every metric is named slipstream_* and labelled with the app's name,
// and, where they apply, with the handler, topic, partition, table or
// checkpoint.
//
// # Cost
//
// The instruments of each handler are resolved when the app starts, so
// the hot path pays no label lookup: a histogram observation per input,
// two clock readings per run of untracked inputs and per eighth input
// taken one at a time (a Kafka message), an atomic add per Kafka message;
// collectors read the rest at scrape time. BenchmarkCost and
// bench/README.md have the throughput with metrics on and off.
//
// # Why not an option of package stream
//
// [With] returns a [stream.Option], but lives here: a program that does
// not ask for metrics does not link the Prometheus client through package
// stream, and package stream keeps its size. The engine sees metrics
// through two method sets of its own (Inc, Observe), as franz-go's hooks
// keep its client free of any metrics library.
package metrics
