package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The window ending at 3.5 holds 📞, at 0.5, exactly 3 s before: a sliding
// window includes its start, as in the original's cookbook.
func Example() {
	main()
	// Output:
	// Sliding window ending at 0.0: map[🏆:1]
	// Sliding window ending at 0.5: map[🏆:1 📞:1]
	// Sliding window ending at 1.0: map[🏆:1 🐟:1 📞:1]
	// Sliding window ending at 2.0: map[🏆:1 🐟:1 👌:1 📞:1]
	// Sliding window ending at 3.5: map[🏆:1 🐟:1 👌:1 📞:1]
	// Sliding window ending at 4.0: map[🏆:1 🐟:1 👌:1 📞:1]
	// Sliding window ending at 5.0: map[🏆:1 🐟:1 👌:1 📞:1]
	// Sliding window ending at 5.5: map[🏆:1 🐟:1 👌:1 📞:1]
}

// The cache keeps only what a later window may still count: the events
// after 2.5 (3.5, 4, 5 and 5.5), each with the index entry that deletes
// it once no window can reach it, the index entry of the last window
// (ending at 5.5, still open), and the stream time: 10 keys, where the
// 8 events came with 21.
func TestStateStaysSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "windows")
	if err := run(context.Background(), io.Discard, path); err != nil {
		t.Fatal(err)
	}
	cache, err := kv.Open(path, codec.Bytes(), codec.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	n := 0
	it := cache.Iter()
	for range it.Keys() {
		n++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Errorf("the state holds %d keys after 8 events, want 10", n)
	}
}
