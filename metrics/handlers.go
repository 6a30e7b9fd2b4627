package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// handlerBuckets are the bounds of the handler duration histogram: 1 µs
// to 4 s, each 4 times the last. A handler's time spans that range, from
// a map of one field to a call to another service.
var handlerBuckets = prometheus.ExponentialBuckets(1e-6, 4, 12)

// handlerVecs are the engine's metrics, one series per handler.
type handlerVecs struct {
	duration     *prometheus.HistogramVec
	failed       *prometheus.CounterVec
	skipped      *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
}

func registerHandlerVecs(reg prometheus.Registerer) (*handlerVecs, error) {
	var h handlerVecs
	var err error
	if h.duration, err = register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "slipstream_handler_duration_seconds",
		Help:    "How long the handler took per input, its outputs' hand-off to the sinks included.",
		Buckets: handlerBuckets,
	}, []string{"handler"})); err != nil {
		return nil, err
	}
	counter := func(name, help string) (*prometheus.CounterVec, error) {
		return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"handler"}))
	}
	if h.failed, err = counter("slipstream_handler_errors_total",
		"Inputs the handler failed on (after its retries), whatever its policy then did: stop the app, skip, dead-letter."); err != nil {
		return nil, err
	}
	if h.skipped, err = counter("slipstream_handler_skipped_total",
		"Inputs the handler failed on that its policy skipped (onerror.Skip)."); err != nil {
		return nil, err
	}
	if h.deadLettered, err = counter("slipstream_handler_dead_lettered_total",
		"Inputs the handler failed on that its policy sent to a dead-letter sink (onerror.DeadLetter)."); err != nil {
		return nil, err
	}
	return &h, nil
}

// of returns the instruments of handler name, resolved once: the hot path
// then pays no label lookup.
func (h *handlerVecs) of(name string) *flow.HandlerMetrics {
	return &flow.HandlerMetrics{
		Duration:     h.duration.WithLabelValues(name),
		Failed:       h.failed.WithLabelValues(name),
		Skipped:      h.skipped.WithLabelValues(name),
		DeadLettered: h.deadLettered.WithLabelValues(name),
	}
}
