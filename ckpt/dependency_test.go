package ckpt_test

import (
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestDependencyDefaults(t *testing.T) {
	d := ckpt.NewDependency("emoji")
	if d.Name() != "emoji" {
		t.Errorf("Name = %q", d.Name())
	}
	if s := d.State(); s != nil {
		t.Errorf("State = %v, want nil", s)
	}
	if m, ok := d.Marker(); ok {
		t.Errorf("Marker = %v, want none", m)
	}
	if d.Threshold() != 10*time.Minute || ckpt.DefaultThreshold != 10*time.Minute {
		t.Errorf("Threshold = %v, want 10m", d.Threshold())
	}
	if d.Down() {
		t.Error("a new dependency is down")
	}
	if _, ok := d.Downtime(); ok {
		t.Error("a new dependency has a downtime")
	}
	if d.DownState() != nil {
		t.Error("a new dependency has a down state")
	}
	if got := ckpt.NewDependency("x", ckpt.WithThreshold(time.Hour)).Threshold(); got != time.Hour {
		t.Errorf("WithThreshold(1h): Threshold = %v", got)
	}
}
