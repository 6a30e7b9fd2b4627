package ckpt_test

import (
	"maps"
	"testing"

	"github.com/slipstream-go/slipstream/ckpt"
)

// TestSaveAndLoad stores a checkpoint and its dependency's checkpoint in a
// cache, under the original's keys, and loads them in a new checkpoint.
func TestSaveAndLoad(t *testing.T) {
	cache := memCache()
	c, _ := newTime(t, &ckpt.TimeOptions{Cache: cache})
	pulse(t, c, at(10, 0), ckpt.State{"offset": 1})
	beat(t, c, at(10, 5))

	for _, key := range []string{
		"__test__state", "__test__state_marker",
		"__test_dependency_checkpoint_state", "__test_dependency_checkpoint_marker",
	} {
		if ok, err := cache.Has(key); err != nil || !ok {
			t.Errorf("key %s: stored %v, %v", key, ok, err)
		}
	}
	raw, _ := cache.Get("__test_dependency_checkpoint_state")
	if got := string(raw.OrEmpty()); got != `{"offset":1}` {
		t.Errorf("stored state %s", got)
	}

	loaded, _ := newTime(t, &ckpt.TimeOptions{Cache: cache})
	if s := loaded.State(); !maps.Equal(s, ckpt.State{"offset": 1}) {
		t.Errorf("loaded State = %v", s)
	}
	if m, ok := loaded.Marker(); !ok || !m.Equal(at(10, 0)) {
		t.Errorf("loaded Marker = %v, %v", m, ok)
	}
	d := loaded.Dependency("dependency")
	if s := d.State(); !maps.Equal(s, ckpt.State{"offset": 1}) {
		t.Errorf("loaded dependency State = %v", s)
	}
	if m, ok := d.Marker(); !ok || !m.Equal(at(10, 5)) {
		t.Errorf("loaded dependency Marker = %v, %v", m, ok)
	}

	// Another prefix is another checkpoint.
	other, _ := newTime(t, &ckpt.TimeOptions{Cache: cache, KeyPrefix: "x"})
	if _, ok := other.Marker(); ok {
		t.Error("a checkpoint with another prefix loaded a marker")
	}
}
