package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The sources interleave in any order, so the lines may come in any order.
func Example() {
	main()
	// Unordered output:
	// countdown: 3
	// countdown: 2
	// countdown: 1
	// words: go
	// words: with
	// words: the
	// words: flow
	// channel: 🏆
	// channel: 📞
	// channel: 🐟
	// channel: 👌
}

// Within each source, the items keep their order.
func TestOrderWithinEachSource(t *testing.T) {
	for range 20 {
		var out bytes.Buffer
		if err := run(context.Background(), &out); err != nil {
			t.Fatal(err)
		}
		bySource := map[string][]string{}
		for line := range strings.Lines(out.String()) {
			name, value, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
			if !ok {
				t.Fatalf("unexpected line %q", line)
			}
			bySource[name] = append(bySource[name], value)
		}
		want := map[string][]string{
			"countdown": {"3", "2", "1"},
			"words":     {"go", "with", "the", "flow"},
			"channel":   {"🏆", "📞", "🐟", "👌"},
		}
		for name, values := range want {
			if !slices.Equal(bySource[name], values) {
				t.Errorf("%s: got %q, want %q", name, bySource[name], values)
			}
		}
		if len(bySource) != len(want) {
			t.Errorf("got sources %v, want %v", bySource, want)
		}
	}
}

// Cancelling the app ends the goroutine that fills the channel: run
// returns, and goleak finds nothing left.
func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
}
