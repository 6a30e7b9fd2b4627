package metrics

import (
	"math"
	"testing"
)

// A sample lands in the first bucket whose bound it does not exceed, as
// Prometheus' le says; the count is the buckets' and the sum every
// sample's.
func TestDurations(t *testing.T) {
	var d durations
	d.Observe(1e-6)     // on the first bound
	d.ObserveN(3e-6, 2) // in the second (4 µs)
	d.Observe(10)       // past the last bound (4.19 s): +Inf
	count, sum, buckets := d.read()
	if count != 4 {
		t.Errorf("count %d, want 4", count)
	}
	if want := 10.000007; math.Abs(sum-want) > 1e-9 {
		t.Errorf("sum %v, want %v", sum, want)
	}
	for bound, want := range map[float64]uint64{1e-6: 1, 4e-6: 3, durationBounds[11]: 3} {
		if got := buckets[bound]; got != want {
			t.Errorf("bucket le=%v: %d, want %d", bound, got, want)
		}
	}
}
