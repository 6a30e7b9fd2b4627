package ckpt_test

import (
	"maps"
	"testing"

	"github.com/slipstream-go/slipstream/ckpt"
)

func TestPartitionOffset(t *testing.T) {
	s := ckpt.PartitionOffset(3, 42)
	if !maps.Equal(s, ckpt.State{"3": 42}) {
		t.Errorf("PartitionOffset = %v", s)
	}
	s["offset"] = 1
	s["-1"] = 2
	if got := s.Offsets(); !maps.Equal(got, map[int32]int64{3: 42}) {
		t.Errorf("Offsets = %v", got)
	}
	if ckpt.State(nil).Clone() != nil {
		t.Error("Clone of nil")
	}
}
