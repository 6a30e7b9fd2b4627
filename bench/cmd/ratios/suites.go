package main

import (
	"fmt"
	"math"
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
	"github.com/slipstream-go/slipstream/bench/internal/kvbench"
	"github.com/slipstream-go/slipstream/bench/internal/pipeline"
)

// The suites: which benchmarks each runs, which figures it reads from
// them, and which ratios it reports against which targets.

func suites() []*suite {
	return []*suite{pipelineSuite(), kvSuite(), kafkaSuite(), stateSuite()}
}

func pipelineSuite() *suite {
	s := &suite{name: "pipeline", title: "Stream pipelines", unit: "items/s", benchtime: benchtime}
	for _, b := range []bench{
		{name: "Pipeline/slipstream", f: pipeline.Slipstream},
		{name: "Pipeline/channels", f: pipeline.Channels},
		{name: "Pipeline/gostreams", f: pipeline.GoStreams},
		{name: "Pipeline/rill", f: pipeline.Rill},
		{name: "Latency/slipstream", f: pipeline.SlipstreamLatency},
		{name: "Latency/channels", f: pipeline.ChannelsLatency},
	} {
		b.figures = whole("items/s")
		s.benches = append(s.benches, b)
		s.rows = append(s.rows, b.name)
	}
	s.ratios = []ratio{
		{
			name:   "throughput slipstream/channels (items/s)",
			of:     perSecRatio("Pipeline/slipstream", "Pipeline/channels"),
			format: "%.2f×", target: "≥ 5×", met: atLeast(5),
		},
		{
			name:   "throughput slipstream/gostreams (items/s)",
			of:     perSecRatio("Pipeline/slipstream", "Pipeline/gostreams"),
			format: "%.1f×", target: "≥ 10×", met: atLeast(10),
		},
		{
			name:   "throughput slipstream/rill (items/s)",
			of:     perSecRatio("Pipeline/slipstream", "Pipeline/rill"),
			format: "%.2f×", target: "—",
		},
		{
			name:   "slipstream allocs/item (Pipeline)",
			of:     func(r round) float64 { return r["Pipeline/slipstream"].allocsPerOp },
			format: "%.4f", target: "≤ 0.1", met: func(v float64) bool { return v <= 0.1 },
		},
		{
			name:   "latency slipstream/channels (ns/op)",
			of:     func(r round) float64 { return r["Latency/slipstream"].nsPerOp / r["Latency/channels"].nsPerOp },
			format: "%.2f×", target: "≤ 2×", met: func(v float64) bool { return v <= 2 },
		},
	}
	return s
}

func kvSuite() *suite {
	s := &suite{name: "kv", title: "Cache (kv) against raw grocksdb, interleaved", unit: "ops/s", benchtime: benchtime}
	for _, c := range kvbench.Comparisons {
		slip, base := c.Name+"/"+c.Slip, c.Name+"/"+c.Base
		s.benches = append(s.benches, bench{
			name: c.Name + "/interleaved", f: c.Interleaved,
			figures: sides(slip, c.SlipMetric(), base, c.BaseMetric()),
		})
		if c == &kvbench.Transaction {
			s.rows = append(s.rows, base, slip) // set, then transaction
		} else {
			s.rows = append(s.rows, slip, base)
		}
	}
	s.ratios = []ratio{
		{
			name:   "Cache.Set throughput slipstream/grocksdb (ops/s)",
			of:     perSecRatio("CacheSet/slipstream", "CacheSet/grocksdb"),
			format: "%.2f×", target: "≥ 0.9×", met: atLeast(0.9),
		},
		{
			name:   "Cache.Get throughput slipstream/grocksdb (ops/s)",
			of:     perSecRatio("CacheGet/slipstream", "CacheGet/grocksdb"),
			format: "%.2f×", target: "≥ 0.9×", met: atLeast(0.9),
		},
		{
			name:   "Set in a Transaction / bare Set (ns/op)",
			of:     func(r round) float64 { return r["Transaction/transaction"].nsPerOp / r["Transaction/set"].nsPerOp },
			format: "%.2f×", target: "≤ 1.3×", met: func(v float64) bool { return v <= 1.3 },
		},
	}
	return s
}

func kafkaSuite() *suite {
	s := &suite{name: "kafka", title: "Kafka Topic against raw confluent-kafka-go, broker: " + kafkabench.BrokerPlace(), unit: "msgs/s", benchtime: kafkaBenchtime}
	for _, c := range kafkabench.Comparisons {
		s.benches = append(s.benches, bench{name: c.Name + "/interleaved", f: c.Interleaved, figures: allSides(c.Name, c.Sides())})
		for _, side := range c.Sides() {
			s.rows = append(s.rows, c.Name+"/"+side)
		}
	}
	s.benches = append(s.benches, bench{name: "TopicToTopic/slipstream", f: kafkabench.TopicToTopic, figures: whole("msgs/s")})
	s.rows = append(s.rows, "TopicToTopic/slipstream")
	s.ratios = []ratio{
		{
			name:   "Produce throughput slipstream/confluent (msgs/s)",
			of:     perSecRatio("Produce/slipstream", "Produce/confluent"),
			format: "%.2f×", target: "≥ 0.9×", met: atLeast(0.9),
		},
		{
			name:   "SendAsync loop throughput, the Topic alone / confluent (msgs/s)",
			of:     perSecRatio("SendAsync/slipstream", "SendAsync/confluent"),
			format: "%.2f×", target: "—",
		},
		{
			name:   "Consume throughput slipstream/confluent (msgs/s)",
			of:     perSecRatio("Consume/slipstream", "Consume/confluent"),
			format: "%.2f×", target: "≥ 0.9×", met: atLeast(0.9),
		},
		{
			name: "TopicToTopic throughput (msgs/s)",
			of:   func(r round) float64 { return r["TopicToTopic/slipstream"].perSec },
			show: si, target: "—",
		},
		{
			name:   "Produce throughput, metrics on / confluent (msgs/s)",
			of:     perSecRatio("Produce/metrics", "Produce/confluent"),
			format: "%.2f×", target: "≥ 0.9×", met: atLeast(0.9),
		},
		{
			name:   "Consume throughput, metrics on / confluent (msgs/s)",
			of:     perSecRatio("Consume/metrics", "Consume/confluent"),
			format: "%.2f×", target: "≥ 0.9×", met: atLeast(0.9),
		},
		{
			name:   "Produce throughput, metrics on / off (msgs/s)",
			of:     perSecRatio("Produce/metrics", "Produce/slipstream"),
			format: "%.3f×", target: "≥ 0.95×", met: atLeast(0.95),
		},
		{
			name:   "Consume throughput, metrics on / off (msgs/s)",
			of:     perSecRatio("Consume/metrics", "Consume/slipstream"),
			format: "%.3f×", target: "≥ 0.95×", met: atLeast(0.95),
		},
		{
			name:   "TopicToTopic throughput, metrics on / off (msgs/s)",
			of:     perSecRatio("TopicToTopicMetrics/metrics", "TopicToTopicMetrics/slipstream"),
			format: "%.3f×", target: "≥ 0.95×", met: atLeast(0.95),
		},
	}
	return s
}

func stateSuite() *suite {
	s := &suite{name: "state", title: "State (package state) against raw clients and goka, broker: " + kafkabench.BrokerPlace(), unit: "ops/s", benchtime: stateBenchtime}
	for _, c := range kafkabench.StateComparisons {
		var names []string
		for _, side := range c.Sides() {
			names = append(names, c.Name+"/"+side)
		}
		s.benches = append(s.benches, bench{name: c.Name + "/interleaved", f: c.Interleaved, figures: allSides(c.Name, c.Sides())})
		s.rows = append(s.rows, names...)
	}
	s.ratios = []ratio{
		{
			name:   "Restore throughput slipstream/raw (records/s)",
			of:     perSecRatio("Restore/slipstream", "Restore/raw"),
			format: "%.2f×", target: "≥ 0.8×", met: atLeast(0.8),
		},
		{
			name:   "Count throughput slipstream/goka (msgs/s)",
			of:     perSecRatio("Count/slipstream", "Count/goka"),
			format: "%.2f×", target: "≥ 2×", met: atLeast(2),
		},
		{
			name:   "Count throughput slipstream/raw (msgs/s)",
			of:     perSecRatio("Count/slipstream", "Count/raw"),
			format: "%.2f×", target: "≥ 0.8×", met: atLeast(0.8),
		},
	}
	for _, n := range []int{1, 2, 4} {
		side := fmt.Sprintf("Count/partitions-%d", n)
		s.ratios = append(s.ratios, ratio{
			name:   fmt.Sprintf("Count throughput partitions-%d/goka (msgs/s)", n),
			of:     perSecRatio(side, "Count/goka"),
			format: "%.2f×", target: "—",
		})
		if n > 1 {
			s.ratios = append(s.ratios, ratio{
				name:   fmt.Sprintf("Count throughput partitions-%d/partitions-1 (msgs/s)", n),
				of:     perSecRatio(side, "Count/partitions-1"),
				format: "%.2f×", target: "—",
			})
		}
	}
	return s
}

// whole makes the figure of a benchmark that is one row: its time and
// allocations per op, and the per-second metric unit it reports.
func whole(unit string) func(string, testing.BenchmarkResult) round {
	return func(name string, r testing.BenchmarkResult) round {
		n := float64(r.N)
		return round{name: {
			nsPerOp:     float64(r.T.Nanoseconds()) / n,
			perSec:      r.Extra[unit],
			allocsPerOp: float64(r.MemAllocs) / n,
		}}
	}
}

// sides makes the figures of the two sides of an interleaved benchmark from
// the times per op it reports.
func sides(slip, slipMetric, base, baseMetric string) func(string, testing.BenchmarkResult) round {
	side := func(ns float64) figure { return figure{nsPerOp: ns, perSec: 1e9 / ns, allocsPerOp: math.NaN()} }
	return func(_ string, r testing.BenchmarkResult) round {
		return round{slip: side(r.Extra[slipMetric]), base: side(r.Extra[baseMetric])}
	}
}

// allSides makes the figures of every side of an interleaved benchmark of
// kafkabench from the times per op it reports, one row per side.
func allSides(name string, sideNames []string) func(string, testing.BenchmarkResult) round {
	return func(_ string, r testing.BenchmarkResult) round {
		got := round{}
		for _, side := range sideNames {
			ns := r.Extra[kafkabench.NsPerOp(side)]
			got[name+"/"+side] = figure{nsPerOp: ns, perSec: 1e9 / ns, allocsPerOp: math.NaN()}
		}
		return got
	}
}

func perSecRatio(a, b string) func(round) float64 {
	return func(r round) float64 { return r[a].perSec / r[b].perSec }
}

func atLeast(min float64) func(float64) bool { return func(v float64) bool { return v >= min } }
