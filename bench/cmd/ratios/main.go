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
