package ckpt_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// The metrics follow a downtime: down and paused while the dependency is
// behind, one downtime and one recovery counted, the downtime measured.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	dependent := stream.From(source.Values("🏆"))
	c, err := ckpt.New("activity", dependent, []*ckpt.TimeDependency{ckpt.NewDependency("weather")},
		&ckpt.TimeOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	stream.Handle(stream.NewApp(), dependent, stream.Do(func(string) {}))
	reg := prometheus.NewRegistry()
	if err := c.Instrument(reg, streamio.Written); err != nil {
		t.Fatal(err)
	}
	if err := c.Instrument(reg, streamio.Written); err != nil {
		t.Fatalf("instrumenting twice on one registry: %v", err)
	}
	check := func(when, want string) {
		t.Helper()
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
			"slipstream_checkpoint_dependency_down", "slipstream_checkpoint_downtimes_total",
			"slipstream_checkpoint_recoveries_total", "slipstream_checkpoint_paused"); err != nil {
			t.Errorf("%s: %v", when, err)
		}
	}
	const head = `
# HELP slipstream_checkpoint_dependency_down 1 while the dependency is down (behind the dependent), 0 otherwise.
# TYPE slipstream_checkpoint_dependency_down gauge
slipstream_checkpoint_dependency_down{checkpoint="activity",dependency="weather"} %d
# HELP slipstream_checkpoint_downtimes_total Times the dependency was found down.
# TYPE slipstream_checkpoint_downtimes_total counter
slipstream_checkpoint_downtimes_total{checkpoint="activity",dependency="weather"} %d
# HELP slipstream_checkpoint_paused 1 while the checkpoint holds its dependent stream paused, 0 otherwise.
# TYPE slipstream_checkpoint_paused gauge
slipstream_checkpoint_paused{checkpoint="activity"} %d
# HELP slipstream_checkpoint_recoveries_total Times the dependency recovered from a downtime.
# TYPE slipstream_checkpoint_recoveries_total counter
slipstream_checkpoint_recoveries_total{checkpoint="activity",dependency="weather"} %d
`
	figures := func(down, downs, paused, recoveries int) string {
		return fmt.Sprintf(head, down, downs, paused, recoveries)
	}
	must := func(_ any, _ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CheckPulse(ctx, at(10, 0), nil))
	check("at first", figures(0, 0, 0, 0))
	must(c.CheckPulse(ctx, at(11, 0), nil))
	check("down", figures(1, 1, 1, 0))
	if _, err := c.Heartbeat(ctx, at(11, 1)); err != nil {
		t.Fatal(err)
	}
	check("recovered", figures(0, 1, 0, 1))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "slipstream_checkpoint_downtime_seconds" {
			if got := mf.GetMetric()[0].GetGauge().GetValue(); got != 3600 {
				t.Errorf("downtime: %v s, want 3600", got)
			}
			return
		}
	}
	t.Error("no slipstream_checkpoint_downtime_seconds")
}

// With NotReadyWhilePaused, the checkpoint is not ready while it holds its
// dependent paused; without, it always is.
func TestNotReadyWhilePaused(t *testing.T) {
	ctx := context.Background()
	for _, notReady := range []bool{false, true} {
		dependent := stream.From(source.Values("🏆"))
		c, err := ckpt.New("activity", dependent, []*ckpt.TimeDependency{ckpt.NewDependency("weather")},
			&ckpt.TimeOptions{Logger: slog.New(slog.DiscardHandler), NotReadyWhilePaused: notReady})
		if err != nil {
			t.Fatal(err)
		}
		stream.Handle(stream.NewApp(), dependent, stream.Do(func(string) {}))
		for _, step := range []struct {
			do        func() error
			wantReady bool
		}{
			{func() error { _, _, err := c.CheckPulse(ctx, at(10, 0), nil); return err }, true},
			{func() error { _, _, err := c.CheckPulse(ctx, at(11, 0), nil); return err }, !notReady},
			{func() error { _, err := c.Heartbeat(ctx, at(11, 1)); return err }, true},
		} {
			if err := step.do(); err != nil {
				t.Fatal(err)
			}
			err := c.Ready()
			if (err == nil) != step.wantReady {
				t.Errorf("NotReadyWhilePaused %v, paused %v: Ready() = %v", notReady, dependent.Paused(), err)
			}
			if err != nil && !strings.Contains(err.Error(), "[weather] down") {
				t.Errorf("Ready() = %q, want it to name the dependency down", err)
			}
		}
	}
}
