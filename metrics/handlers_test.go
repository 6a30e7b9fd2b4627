package metrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

var errOdd = errors.New("odd")

func evenOnly(_ context.Context, n int) (int, error) {
	if n%2 == 1 {
		return 0, errOdd
	}
	return n, nil
}

func double(n int) int { return 2 * n }

// Each handler gets its own series, labelled with the app and the
// handler: every input timed, failures counted by what became of them.
func TestHandlerMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "numbers"))
	ns := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	stream.Handle(app, source.Slice(ns), stream.Func(double), sink.Discard[int]())
	stream.Handle(app, source.Slice(ns), onerror.Skip(stream.FuncErr(evenOnly).Named("skipper")), sink.Discard[int]())
	dlq := sink.Collect[onerror.Failure[int]]()
	stream.Handle(app, source.Slice(ns), onerror.DeadLetter(stream.FuncErr(evenOnly).Named("letters"), dlq), sink.Discard[int]())
	if err := app.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := samples(t, reg)
	for _, c := range []struct {
		metric, handler string
		want            float64
	}{
		{"slipstream_handler_duration_seconds_count", "double", 10},
		{"slipstream_handler_duration_seconds_count", "skipper", 10},
		{"slipstream_handler_duration_seconds_count", "letters", 10},
		{"slipstream_handler_errors_total", "double", 0},
		{"slipstream_handler_errors_total", "skipper", 5},
		{"slipstream_handler_skipped_total", "skipper", 5},
		{"slipstream_handler_dead_lettered_total", "skipper", 0},
		{"slipstream_handler_errors_total", "letters", 5},
		{"slipstream_handler_dead_lettered_total", "letters", 5},
		{"slipstream_handler_skipped_total", "letters", 0},
	} {
		got, n := sum(s, c.metric, "app=numbers", "handler="+c.handler)
		if n != 1 || got != c.want {
			t.Errorf("%s{handler=%q}: %v in %d series, want %v in one", c.metric, c.handler, got, n, c.want)
		}
	}
	if got := len(dlq.Items()); got != 5 {
		t.Errorf("the dead-letter sink got %d inputs, want 5", got)
	}
}

// A handler that fails the app counts one error.
func TestHandlerErrorStopsApp(t *testing.T) {
	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "failing"))
	stream.Handle(app, source.Values(2, 4, 5, 6), stream.FuncErr(evenOnly), sink.Discard[int]())
	if err := app.Run(t.Context()); !errors.Is(err, errOdd) {
		t.Fatalf("Run: %v, want the handler's error", err)
	}
	s := samples(t, reg)
	if got, _ := sum(s, "slipstream_handler_errors_total", "handler=evenOnly"); got != 1 {
		t.Errorf("errors: %v, want 1", got)
	}
	if got, _ := sum(s, "slipstream_handler_duration_seconds_count", "handler=evenOnly"); got != 3 {
		t.Errorf("inputs timed: %v, want 3 (the app stopped at the third)", got)
	}
}

// Two apps share a registry under their names; an app run again under
// its name goes on with its series.
func TestAppsShareARegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	run := func(name string, ns ...int) {
		app := stream.NewApp(metrics.With(reg, name))
		stream.Handle(app, source.Slice(ns), stream.Func(double), sink.Discard[int]())
		if err := app.Run(t.Context()); err != nil {
			t.Fatalf("app %s: %v", name, err)
		}
	}
	run("a", 1, 2, 3)
	run("b", 1)
	run("a", 4, 5)
	s := samples(t, reg)
	if got, _ := sum(s, "slipstream_handler_duration_seconds_count", "app=a"); got != 5 {
		t.Errorf("app a timed %v inputs, want 5 over its two runs", got)
	}
	if got, _ := sum(s, "slipstream_handler_duration_seconds_count", "app=b"); got != 1 {
		t.Errorf("app b timed %v inputs, want 1", got)
	}
}

// An app without a name, or without a registry, does not run.
func TestBadOptions(t *testing.T) {
	for _, c := range []struct {
		reg  prometheus.Registerer
		name string
		want string
	}{
		{prometheus.NewRegistry(), "", "name is empty"},
		{nil, "x", "app x: the registerer is nil"},
	} {
		app := stream.NewApp(metrics.With(c.reg, c.name))
		stream.Handle(app, source.Values(1), stream.Func(double), sink.Discard[int]())
		err := app.Run(t.Context())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("With(%v, %q): Run returned %v, want an error saying %q", c.reg, c.name, err, c.want)
		}
	}
}
