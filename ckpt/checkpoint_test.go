package ckpt_test

import (
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestCheckpointDefaults(t *testing.T) {
	c, g := newTime(t, nil)
	if c.Name() != "test" {
		t.Errorf("Name = %q", c.Name())
	}
	if deps := c.Dependencies(); len(deps) != 1 || deps[0].Name() != "dependency" || c.Dependency("dependency") != deps[0] {
		t.Errorf("Dependencies = %v", deps)
	}
	if c.Dependency("other") != nil {
		t.Error("Dependency of an unknown name is not nil")
	}
	if s := c.State(); s == nil || len(s) != 0 {
		t.Errorf("State = %#v, want empty", s)
	}
	if m, ok := c.Marker(); ok {
		t.Errorf("Marker = %v, want none", m)
	}
	if c.Down() || g.Paused() {
		t.Error("a new checkpoint is down or has paused its dependent")
	}
	if s := c.String(); !strings.Contains(s, "test{state: map[]") || !strings.Contains(s, "dependency{") {
		t.Errorf("String = %q", s)
	}
}

func TestNewChecksDependencies(t *testing.T) {
	d := ckpt.NewDependency("d")
	for name, deps := range map[string][]*ckpt.TimeDependency{
		"no dependencies":  nil,
		"is nil":           {nil},
		"has no name":      {ckpt.NewDependency("")},
		"two dependencies": {ckpt.NewDependency("x"), ckpt.NewDependency("x")},
	} {
		if _, err := ckpt.New("test", nil, deps, nil); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ckpt.New("", nil, []*ckpt.TimeDependency{d}, nil); err == nil {
		t.Error("a checkpoint without a name")
	}
	if _, err := ckpt.New("one", nil, []*ckpt.TimeDependency{d}, nil); err != nil {
		t.Fatal(err)
	}
	free := ckpt.NewDependency("free")
	if _, err := ckpt.New("two", nil, []*ckpt.TimeDependency{free, d}, nil); err == nil || !strings.Contains(err.Error(), "another checkpoint") {
		t.Errorf("a dependency in two checkpoints: %v", err)
	}
	if _, err := ckpt.New("three", nil, []*ckpt.TimeDependency{free}, nil); err != nil {
		t.Errorf("a dependency released by a failed New: %v", err)
	}
}
