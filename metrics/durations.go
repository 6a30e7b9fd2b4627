package metrics

import (
	"maps"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// durationBounds are the upper bounds of the handler duration histogram:
// 1 µs to 4 s, each 4 times the last. A handler's time spans that range,
// from a map of one field to a call to another service.
var durationBounds = prometheus.ExponentialBuckets(1e-6, 4, 12)

// A durationVec is the handler duration histogram, one per handler. It is
// not a prometheus.HistogramVec because the engine times a run of
// untracked inputs as a whole and observes its average once for all of
// them (ObserveN), where a prometheus.Histogram would take an Observe per
// input: a cost per input that a pipeline of cheap steps would feel.
type durationVec struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	by   map[string]*durations // by handler name
}

func newDurationVec() *durationVec {
	return &durationVec{
		desc: prometheus.NewDesc("slipstream_handler_duration_seconds",
			"How long the handler took per input, its outputs' hand-off to the sinks included. Every input is counted; of those handled one at a time, one in 8 is timed and the others counted at its duration; a run of untracked inputs is timed as a whole, each counted at the run's average.",
			[]string{"handler"}, nil),
		by: map[string]*durations{},
	}
}

// of returns the histogram of handler name.
func (v *durationVec) of(name string) *durations {
	v.mu.Lock()
	defer v.mu.Unlock()
	d := v.by[name]
	if d == nil {
		d = &durations{}
		v.by[name] = d
	}
	return d
}

func (v *durationVec) Describe(ch chan<- *prometheus.Desc) { ch <- v.desc }

func (v *durationVec) Collect(ch chan<- prometheus.Metric) {
	v.mu.Lock()
	by := maps.Clone(v.by)
	v.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(by)) {
		count, sum, buckets := by[name].read()
		ch <- prometheus.MustNewConstHistogram(v.desc, count, sum, buckets, name)
	}
}

// durations is one handler's histogram. Its count is the sum of its
// buckets', so that a scrape never sees them disagree.
type durations struct {
	counts  [13]atomic.Uint64 // by bound of durationBounds, then +Inf
	sumBits atomic.Uint64     // the sum of the samples, as float64 bits
}

// Observe takes one sample of v seconds.
func (d *durations) Observe(v float64) { d.ObserveN(v, 1) }

// ObserveN takes n samples of v seconds.
func (d *durations) ObserveN(v float64, n int) {
	d.counts[sort.SearchFloat64s(durationBounds, v)].Add(uint64(n))
	for {
		old := d.sumBits.Load()
		sum := math.Float64bits(math.Float64frombits(old) + v*float64(n))
		if d.sumBits.CompareAndSwap(old, sum) {
			return
		}
	}
}

// read returns the count, the sum and the cumulative bucket counts.
func (d *durations) read() (count uint64, sum float64, buckets map[float64]uint64) {
	buckets = make(map[float64]uint64, len(durationBounds))
	for i, bound := range durationBounds {
		count += d.counts[i].Load()
		buckets[bound] = count
	}
	count += d.counts[len(durationBounds)].Load()
	return count, math.Float64frombits(d.sumBits.Load()), buckets
}
