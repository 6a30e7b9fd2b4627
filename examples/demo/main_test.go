package main

import (
	"bytes"
	"context"
	"maps"
	"strings"
	"testing"
	"time"
)

func total(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// Two runs on one state folder: the second continues the first's counts.
func TestCountsContinueAcrossRuns(t *testing.T) {
	state := t.TempDir()
	var prev map[string]int64
	for i := range 2 {
		var out bytes.Buffer
		cfg := config{Duration: 700 * time.Millisecond, Every: 200 * time.Millisecond, Rate: 400, State: state, Out: &out}
		res, err := run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out.String())
		}
		if res.Sent == 0 || res.Counted != res.Sent {
			t.Fatalf("run %d sent %d, counted %d: every message sent is counted", i, res.Sent, res.Counted)
		}
		if i > 0 && !maps.Equal(res.Before, prev) {
			t.Fatalf("run %d started from %v, want the counts the run before ended with, %v", i, res.Before, prev)
		}
		if got, want := total(res.After), total(res.Before)+res.Counted; got != want {
			t.Fatalf("run %d ended with %d counted in all, want %d", i, got, want)
		}
		if !strings.Contains(out.String(), "emoji counts: map[") || !strings.Contains(out.String(), "done in ") {
			t.Fatalf("run %d printed:\n%s", i, out.String())
		}
		prev = res.After
	}
}
