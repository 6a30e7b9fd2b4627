package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

func greet(s string) string { return "Hello " + s + "!" }

// An app with metrics: once it has run, its registry holds the time each
// input took, per handler.
func Example() {
	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "greeter"))
	stream.Handle(app, source.Values("🏆", "📞", "🐟"), stream.Func(greet), sink.Discard[string]())
	if err := app.Run(context.Background()); err != nil {
		panic(err)
	}
	families, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		if f.GetName() == "slipstream_handler_duration_seconds" {
			m := f.GetMetric()[0]
			fmt.Println(f.GetName(), labels(m), "inputs:", m.GetHistogram().GetSampleCount())
		}
	}
	// Output:
	// slipstream_handler_duration_seconds {app=greeter,handler=greet} inputs: 3
}

// The health endpoints say what is wrong: an app that has not been run is
// neither live nor ready.
func ExampleHandler() {
	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "greeter"))
	stream.Handle(app, source.Values("🏆"), stream.Func(greet), sink.Discard[string]())
	srv := httptest.NewServer(metrics.Handler(reg, app))
	defer srv.Close()
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s: %d %s", path, resp.StatusCode, body)
	}
	// Output:
	// /healthz: 503 app greeter: not running
	// /readyz: 503 app greeter: not running
}
