package ckpt_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestCallbacksOncePerTransition(t *testing.T) {
	var r recorder
	c, _ := newTwo(t, &ckpt.TimeOptions{OnDowntime: r.callback("down"), OnRecovery: r.callback("up")})
	pulse(t, c, at(10, 0), nil)
	pulse(t, c, at(11, 0), nil) // both go down
	pulse(t, c, at(11, 5), nil) // late again: no callback
	beat(t, c, at(10, 30), "dependency")
	beat(t, c, at(11, 6), "dependency") // one recovers: no callback yet
	beat(t, c, at(11, 6), "extra")      // all clear
	beat(t, c, at(11, 7), "extra")
	pulse(t, c, at(11, 7), nil)
	pulse(t, c, at(12, 0), nil) // down again
	want := []string{"down dependency", "down extra", "up extra", "down dependency", "down extra"}
	if got := r.get(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("callbacks %q, want %q", got, want)
	}
}

func TestCallbackErrors(t *testing.T) {
	boom := errors.New("boom")
	failing := func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) error { return boom }
	c, g := newTime(t, &ckpt.TimeOptions{OnDowntime: failing, OnRecovery: failing})
	pulse(t, c, at(10, 0), nil)
	if _, down, err := c.CheckPulse(context.Background(), at(11, 0), nil); !errors.Is(err, boom) || !down || !strings.Contains(err.Error(), "downtime callback") {
		t.Errorf("CheckPulse with a failing callback: %v, %v", down, err)
	}
	if l, err := c.Heartbeat(context.Background(), at(12, 0)); !errors.Is(err, boom) || l.IsLate {
		t.Errorf("Heartbeat with a failing callback: %+v, %v", l, err)
	}
	if g.Paused() {
		t.Error("a failing recovery callback left the dependent paused")
	}
}

// TestRecoveryCallbackRunsBeforeResume: a seek in the recovery callback
// happens while the dependent is still paused.
func TestRecoveryCallbackRunsBeforeResume(t *testing.T) {
	g := &gate{}
	var pausedInCallback bool
	var seekTo ckpt.State
	c, err := ckpt.New("test", g, []*ckpt.TimeDependency{ckpt.NewDependency("d")}, &ckpt.TimeOptions{
		OnRecovery: func(_ context.Context, _ *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
			pausedInCallback = g.Paused()
			seekTo = d.DownState()
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pulse(t, c, at(10, 0), ckpt.PartitionOffset(0, 1))
	pulse(t, c, at(11, 0), ckpt.PartitionOffset(0, 2)) // down here
	pulse(t, c, at(11, 1), ckpt.PartitionOffset(0, 3)) // in flight when paused
	beat(t, c, at(11, 2))
	if !pausedInCallback || g.Paused() {
		t.Errorf("paused in the callback %v, after %v", pausedInCallback, g.Paused())
	}
	if got := seekTo.Offsets(); !maps.Equal(got, map[int32]int64{0: 2}) {
		t.Errorf("DownState offsets %v, want partition 0 at 2", got)
	}
	if got := c.Dependency("d").State().Offsets(); !maps.Equal(got, map[int32]int64{0: 3}) {
		t.Errorf("State offsets %v, want partition 0 at 3", got)
	}
}
