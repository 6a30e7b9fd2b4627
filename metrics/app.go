package metrics

import (
	"errors"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/internal/flow"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// With returns the option that makes an app report its metrics to reg,
// every one labelled app=name: the engine's (per handler), and those of
// each source and sink bound to the app that is [streamio.Instrumented]
// (a Kafka topic's, a table's, a checkpoint's). It registers them when
// the app's Run starts; Run fails if name is empty or reg refuses them.
// Several apps may share reg under different names; an app that runs again
// under the same name, on the same reg, goes on with the same series.
//
//	reg := prometheus.NewRegistry()
//	app := stream.NewApp(metrics.With(reg, "billing"))
func With(reg prometheus.Registerer, name string) stream.Option {
	return func(a *stream.App) {
		flow.AppOf(a).Monitor = &monitor{name: name, reg: reg}
	}
}

// A monitor is what With sets on an app: it registers the app's metrics
// when the app starts, and hands the engine the instruments of each
// handler.
type monitor struct {
	name string
	reg  prometheus.Registerer // the user's; see start for the app's

	mu       sync.Mutex
	handlers *handlerVecs
}

// Start registers the app's metrics and those of its sources and sinks.
func (m *monitor) Start(resources []flow.Resource) error {
	if m.name == "" {
		return errors.New("metrics: the app's name is empty: metrics.With needs one, for the app label")
	}
	if m.reg == nil {
		return fmt.Errorf("metrics: app %s: the registerer is nil", m.name)
	}
	reg := prometheus.WrapRegistererWith(prometheus.Labels{"app": m.name}, m.reg)
	h, err := registerHandlerVecs(reg)
	if err != nil {
		return fmt.Errorf("metrics: app %s: %w", m.name, err)
	}
	m.mu.Lock()
	m.handlers = h
	m.mu.Unlock()
	for _, r := range resources {
		in, ok := r.Value.(streamio.Instrumented)
		if !ok {
			continue
		}
		var role streamio.Role
		if r.Source {
			role |= streamio.Read
		}
		if r.Sink {
			role |= streamio.Written
		}
		if err := in.Instrument(reg, role); err != nil {
			return fmt.Errorf("metrics: app %s: instrumenting %s: %w", m.name, flow.Describe(r.Value), err)
		}
	}
	return nil
}

// Handler returns the instruments of the handler called name.
func (m *monitor) Handler(name string) *flow.HandlerMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.handlers.of(name)
}

// register registers c on reg, or returns the collector registered there
// already with the same metrics: so that an app run again, or a source
// offered twice, goes on with the same series.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) {
		if prev, ok := already.ExistingCollector.(C); ok {
			return prev, nil
		}
	}
	return c, err
}
