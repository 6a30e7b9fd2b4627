package metrics

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Handler returns an http.Handler that serves, for the apps given:
//
//   - /metrics: what g gathers, in Prometheus' exposition format (pass the
//     registry given to [With]);
//   - /healthz: 200 while every app runs (its Run has started it and not
//     returned) and the clients of its sources and sinks are connected
//     (see [streamio.Prober]), 503 otherwise: a liveness probe;
//   - /readyz: 200 while every app runs and is doing its work: every Kafka
//     topic it reads has joined its group, and every partition assigned to
//     it is restored (its tables' shards read back from their changelogs)
//     and being handled; 503 otherwise: a readiness probe.
//
// A 503's body says, a line each, what fails. Mount it on a mux of your own,
// under a prefix with [http.StripPrefix]:
//
//	mux.Handle("/", metrics.Handler(reg, app))
//	mux.Handle("/ops/", http.StripPrefix("/ops", metrics.Handler(reg, app)))
//
// Handler panics if g or an app is nil.
func Handler(g prometheus.Gatherer, apps ...*stream.App) http.Handler {
	if g == nil {
		panic("metrics.Handler: the gatherer is nil")
	}
	for i, a := range apps {
		if a == nil {
			panic(fmt.Sprintf("metrics.Handler: apps[%d] is nil", i))
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", probeHandler(apps, live))
	mux.Handle("GET /readyz", probeHandler(apps, ready))
	return mux
}

// probeHandler answers 200 "ok" when every app passes check, and 503 with
// what fails otherwise.
func probeHandler(apps []*stream.App, check func(streamio.Prober) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if failed := probe(apps, check); len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(strings.Join(failed, "\n") + "\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
}
