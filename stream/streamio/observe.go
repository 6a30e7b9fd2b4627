package streamio

import "github.com/prometheus/client_golang/prometheus"

// An Instrumented source or sink reports metrics of its own (a Kafka
// topic's consumer lag, a table's restore progress) to the registry of an
// app that runs it. When an app with metrics (see package
// github.com/slipstream-go/slipstream/metrics) starts, it calls Instrument
// once for each such source and sink bound to it, with the app's
// registerer, which adds the app's label to every metric, and with the
// role the app has it in. An error fails the app's Run.
//
// Instrument should register collectors that read, at scrape time, what
// the source or sink counts anyway, so that the hot path pays nothing for
// metrics; registering the same collector on the same registry again
// should not be an error (a source read by two handlers of one app is
// offered once, but one shared by two apps on one registry is offered
// twice).
type Instrumented interface {
	Instrument(reg prometheus.Registerer, role Role) error
}

// A Role says how an app uses a source or sink it offers to
// [Instrumented]: it reads it, writes to it, or both. A Kafka topic that
// one app writes and another reads reports its producer's metrics for the
// first and its consumers' for the second.
type Role uint8

// The roles of a source or sink.
const (
	Read    Role = 1 << iota // a source of the app
	Written                  // a sink of the app
)

// A Prober is a source or sink that knows whether it is healthy and ready,
// for the health endpoints of an app that runs it (metrics.Handler's
// /healthz and /readyz).
type Prober interface {
	// Live returns nil while the source or sink can work: its clients are
	// connected, none has failed for good. Its error says what is wrong.
	Live() error
	// Ready returns nil once it is doing its work: a Kafka topic read by
	// the app has joined its group, and every partition assigned to it is
	// restored and being handled. Its error says what it waits for.
	Ready() error
}
