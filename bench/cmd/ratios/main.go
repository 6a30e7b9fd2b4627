// Command ratios runs the benchmarks of the bench module in interleaved
// rounds and prints, as markdown tables, the median of each figure and the
// ratios of slipstream to its baselines, each measured within one round (or,
// for the Cache and Kafka, within one benchmark that alternates both sides
// in small chunks), next to their targets.
//
// Shared, noisy machines make absolute figures drift from one run to the
// next; ratios taken close together in time are the figures to compare over
// time.
//
//	cd bench && go run ./cmd/ratios [-suite all] [-rounds 5] [-benchtime 500ms] [-kafka-benchtime 200000x] [-state-benchtime 200000x] [-strict]
//
// Suites: pipeline (stream throughput and latency against channels,
// go-streams and rill), kv (the Cache against raw grocksdb, and
// transactions), kafka (Topic against raw confluent-kafka-go, on a broker
// in a child process unless KAFKABENCH_BROKER=inprocess), state (a
// state.Table's restore against a raw consumer writing to grocksdb, and
// counting per key against goka and a raw consume → grocksdb → produce
// loop, on the same broker).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
	"github.com/slipstream-go/slipstream/bench/internal/kvbench"
	"github.com/slipstream-go/slipstream/bench/internal/pipeline"
	"github.com/slipstream-go/slipstream/bench/internal/stats"
)

// A figure is what one run of one benchmark measured, or, for an
// interleaved benchmark, what it measured of one side.
type figure struct {
	nsPerOp     float64
	perSec      float64 // ops per second; 0 for the latency benchmarks
	allocsPerOp float64 // NaN when unknown (one side of an interleaved benchmark)
}

// A round holds the figures of one round, by row name.
type round map[string]figure

// A bench is one benchmark body, and how to turn its result into figures.
type bench struct {
	name    string // as go test names it
	f       func(*testing.B)
	figures func(name string, r testing.BenchmarkResult) round
}

// A ratio is a figure derived from each round, compared with its target.
type ratio struct {
	name   string
	of     func(r round) float64
	format string // of the measured value, unless show is set
	show   func(v float64) string
	target string
	met    func(v float64) bool // nil: no target
}

// A suite is a set of benchmarks run with one benchtime, the rows of its
// figures table, and its ratios.
type suite struct {
	name      string
	title     string
	unit      string // of the per-second column
	benchtime *string
	benches   []bench
	rows      []string
	ratios    []ratio
}

var (
	benchtime      = flag.String("benchtime", "500ms", "time (or Nx count) of each pipeline and kv benchmark run, as go test's -benchtime")
	kafkaBenchtime = flag.String("kafka-benchtime", "200000x", "count (or time) of messages of each kafka benchmark run; each consumer run also spends about a second joining its group and closing, untimed")
	stateBenchtime = flag.String("state-benchtime", "200000x", "count of records restored, or messages counted, per side of each state benchmark run (Restore runs restore 200,000 records at a time, Count runs count 50,000)")
)

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

func main() {
	kafkabench.ServeBrokerIfChild()
	testing.Init()
	suiteFlag := flag.String("suite", "all", "which benchmarks: pipeline, kv, kafka, state or all")
	rounds := flag.Int("rounds", 5, "rounds of every benchmark; figures are the medians")
	strict := flag.Bool("strict", false, "exit with status 1 if a target is not met")
	flag.Parse()
	if *rounds < 1 {
		fmt.Fprintln(os.Stderr, "ratios: -rounds must be at least 1")
		os.Exit(2)
	}
	var chosen []*suite
	for _, s := range suites() {
		if *suiteFlag == "all" || *suiteFlag == s.name {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		fmt.Fprintf(os.Stderr, "ratios: -suite %q: want pipeline, kv, kafka, state or all\n", *suiteFlag)
		os.Exit(2)
	}
	for _, bt := range []string{*benchtime, *kafkaBenchtime, *stateBenchtime} {
		if err := flag.Set("test.benchtime", bt); err != nil {
			fmt.Fprintf(os.Stderr, "ratios: benchtime %q: %v\n", bt, err)
			os.Exit(2)
		}
	}
	code := 0
	if ok := run(os.Stdout, chosen, *rounds); !ok && *strict {
		code = 1
	}
	kvbench.Cleanup()
	kafkabench.Cleanup()
	os.Exit(code)
}

// run runs the rounds and prints the report; it reports whether every
// target was met.
func run(w io.Writer, chosen []*suite, rounds int) bool {
	type entry struct {
		s *suite
		b bench
	}
	var all []entry
	for _, s := range chosen {
		for _, b := range s.benches {
			all = append(all, entry{s, b})
		}
	}
	// Each round runs every benchmark once, starting one further along the
	// list than the round before, so that no benchmark always runs first
	// (on a cold machine) or right after the same neighbour.
	perRound := make([]round, rounds)
	for r := range perRound {
		perRound[r] = round{}
		for i := range all {
			e := all[(i+r)%len(all)]
			flag.Set("test.benchtime", *e.s.benchtime)
			res := testing.Benchmark(e.b.f)
			if res.N == 0 {
				fmt.Fprintf(os.Stderr, "ratios: %s failed (run `go test -run '^$' -bench %s` to see why)\n", e.b.name, e.b.name)
				kvbench.Cleanup()
				kafkabench.Cleanup()
				os.Exit(1)
			}
			for name, f := range e.b.figures(e.b.name, res) {
				perRound[r][name] = f
			}
			fmt.Fprintf(os.Stderr, "round %d/%d  %-24s %10d ops  %10.1f ns/op\n", r+1, rounds, e.b.name, res.N, float64(res.T.Nanoseconds())/float64(res.N))
		}
	}
	return report(w, chosen, perRound)
}

// report prints the tables and reports whether every target was met.
func report(w io.Writer, chosen []*suite, perRound []round) bool {
	fmt.Fprintf(w, "## slipstream benchmarks\n\n")
	fmt.Fprintf(w, "%s %s/%s, GOMAXPROCS=%d, NumCPU=%d; median of %d rounds", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), len(perRound))
	for _, s := range chosen {
		fmt.Fprintf(w, "; %s benchtime %s", s.name, *s.benchtime)
	}
	fmt.Fprintf(w, ".\n")
	all := true
	for _, s := range chosen {
		fmt.Fprintf(w, "\n### %s\n\n", s.title)
		fmt.Fprintf(w, "| benchmark | ns/op | %s | allocs/op | ns/op spread |\n", s.unit)
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
		for _, name := range s.rows {
			ns := collect(perRound, func(r round) float64 { return r[name].nsPerOp })
			perSec := stats.Median(collect(perRound, func(r round) float64 { return r[name].perSec }))
			allocs := stats.Median(collect(perRound, func(r round) float64 { return r[name].allocsPerOp }))
			perSecCol, allocsCol := "—", "—"
			if perSec > 0 {
				perSecCol = si(perSec)
			}
			if !math.IsNaN(allocs) {
				allocsCol = fmt.Sprintf("%.4f", allocs)
			}
			m := stats.Median(ns)
			spread := (slices.Max(ns) - slices.Min(ns)) / m * 100
			fmt.Fprintf(w, "| %s | %.1f | %s | %s | %.0f%% |\n", name, m, perSecCol, allocsCol, spread)
		}

		fmt.Fprintln(w)
		fmt.Fprintln(w, "| ratio (median of per-round ratios) | measured | target | met |")
		fmt.Fprintln(w, "| --- | ---: | --- | --- |")
		for _, r := range s.ratios {
			v := stats.Median(collect(perRound, r.of))
			met := "—"
			if r.met != nil {
				if r.met(v) {
					met = "yes"
				} else {
					met = "**no**"
					all = false
				}
			}
			shown := ""
			if r.show != nil {
				shown = r.show(v)
			} else {
				shown = fmt.Sprintf(r.format, v)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.name, shown, r.target, met)
		}
	}
	return all
}

func collect(perRound []round, of func(round) float64) []float64 {
	vs := make([]float64, len(perRound))
	for i, r := range perRound {
		vs[i] = of(r)
	}
	return vs
}

// si formats v with a k/M/G suffix.
func si(v float64) string {
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= u.div {
			return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v/u.div), "0"), ".") + u.suffix
		}
	}
	return fmt.Sprintf("%.0f", v)
}
