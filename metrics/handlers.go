package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// handlerVecs are the engine's metrics, one series per handler.
type handlerVecs struct {
	duration     *durationVec
	failed       *prometheus.CounterVec
	skipped      *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
}

func registerHandlerVecs(reg prometheus.Registerer) (*handlerVecs, error) {
	var h handlerVecs
	var err error
	if h.duration, err = register(reg, newDurationVec()); err != nil {
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
		Duration:     h.duration.of(name),
		Failed:       h.failed.WithLabelValues(name),
		Skipped:      h.skipped.WithLabelValues(name),
		DeadLettered: h.deadLettered.WithLabelValues(name),
	}
}
