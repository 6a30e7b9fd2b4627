package main

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The window ending at 3.5 holds 🐟 (1.0), 👌 (2.0) and 🏆 (3.5): 📞, at
// 0.5, is exactly 3 s old and has left it.
func Example() {
	main()
	// Output:
	// Sliding window ending at 0.0: map[🏆:1]
	// Sliding window ending at 0.5: map[🏆:1 📞:1]
	// Sliding window ending at 1.0: map[🏆:1 🐟:1 📞:1]
	// Sliding window ending at 2.0: map[🏆:1 🐟:1 👌:1 📞:1]
	// Sliding window ending at 3.5: map[🏆:1 🐟:1 👌:1]
	// Sliding window ending at 4.0: map[🏆:1 👌:1 📞:1]
	// Sliding window ending at 5.0: map[🏆:1 🐟:1 📞:1]
	// Sliding window ending at 5.5: map[🏆:1 🐟:1 👌:1 📞:1]
}

// The cache keeps only the events that a later window may still count.
func TestStateStaysSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "windows")
	if err := run(context.Background(), io.Discard, path); err != nil {
		t.Fatal(err)
	}
	byTime, err := kv.Open(path, codec.Time(), codec.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer byTime.Close()
	var kept []float64
	it := byTime.Iter()
	for k := range it.Keys() {
		kept = append(kept, k.Sub(start).Seconds())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []float64{3.5, 4, 5, 5.5}; !slices.Equal(kept, want) {
		t.Errorf("kept events at %v, want %v", kept, want)
	}
}
