package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// dependent 🏆 at 10:00
	// dependent 📞 at 10:05
	// dependent 🐟 at 10:11
	// Downtime detected: 11m0s
	// latency {IsLate:true DependentMarker:2025-01-01 10:11:00 +0000 UTC DependencyMarker:2025-01-01 10:04:00 +0000 UTC}
	// latency {IsLate:true DependentMarker:2025-01-01 10:11:00 +0000 UTC DependencyMarker:2025-01-01 10:09:00 +0000 UTC}
	// dependency caught up at 10:12: resuming dependent
	// dependent 👌 at 10:15
	// dependent{state: map[], state_marker: 2025-01-01 10:15:00 +0000 UTC, checkpoints: [dependency{checkpoint_state: map[], checkpoint_marker: 2025-01-01 10:16:00 +0000 UTC}]}
}
