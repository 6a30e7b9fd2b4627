package metrics

import (
	"maps"
	"slices"
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

// durations is one handler's histogram: two atomic adds per observation.
// Its count is the sum of its buckets', so that a scrape never sees them
// disagree, and its sum is kept in nanoseconds, an integer, so that adding
// to it needs no compare-and-swap loop.
type durations struct {
	counts [13]atomic.Uint64 // by bound of durationBounds, then +Inf
	sumNs  atomic.Int64      // the sum of the samples
}

// Observe takes one sample of v seconds.
func (d *durations) Observe(v float64) { d.ObserveN(v, 1) }

// ObserveN takes n samples of v seconds.
func (d *durations) ObserveN(v float64, n int) {
	i := 0 // handlers mostly take microseconds: the first buckets
	for i < len(durationBounds) && v > durationBounds[i] {
		i++
	}
	d.counts[i].Add(uint64(n))
	d.sumNs.Add(int64(v * 1e9 * float64(n)))
}

// read returns the count, the sum and the cumulative bucket counts.
func (d *durations) read() (count uint64, sum float64, buckets map[float64]uint64) {
	buckets = make(map[float64]uint64, len(durationBounds))
	for i, bound := range durationBounds {
		count += d.counts[i].Load()
		buckets[bound] = count
	}
	count += d.counts[len(durationBounds)].Load()
	return count, float64(d.sumNs.Load()) / 1e9, buckets
}
