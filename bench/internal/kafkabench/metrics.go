package kafkabench

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/stream"
)

// The "metrics" sides run the slipstream side's app with metrics on
// (metrics.With), each run on a registry of its own: every handler timed,
// every message counted, librdkafka's statistics read every second. Their
// ratio to the slipstream side, measured in the same interleaved
// benchmark, is what metrics cost.

func withMetrics() stream.Option { return metrics.With(prometheus.NewRegistry(), "bench") }

func prepareProduceMetrics(b broker, n int) (*run, error) {
	return produceSlipstream(b, n, withMetrics())
}

func prepareConsumeMetrics(b broker, n int) (*run, error) {
	return consumeSlipstream(b, n, withMetrics())
}

func prepareTopicToTopicMetrics(b broker, n int) (*run, error) {
	return prepareTopicToTopicWith(b, n, nil, withMetrics())
}
