// Command ratios runs the throughput and latency benchmarks of the bench
// module in interleaved rounds and prints, as a markdown table, the median of
// each figure and the ratios of slipstream to the other implementations,
// each measured within one round, next to their targets.
//
// Shared, noisy machines make absolute figures drift from one run to the
// next; ratios taken in the same round, close together in time, are the
// figures to compare over time.
//
//	cd bench && go run ./cmd/ratios [-rounds 5] [-benchtime 500ms] [-strict]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/pipeline"
)

// A bench is one benchmark body and the name go test gives it.
type bench struct {
	name string
	f    func(*testing.B)
}

var benches = []bench{
	{"Pipeline/slipstream", pipeline.Slipstream},
	{"Pipeline/channels", pipeline.Channels},
	{"Pipeline/gostreams", pipeline.GoStreams},
	{"Pipeline/rill", pipeline.Rill},
	{"Latency/slipstream", pipeline.SlipstreamLatency},
	{"Latency/channels", pipeline.ChannelsLatency},
}

// A figure is what one run of one benchmark measured.
type figure struct {
	nsPerOp     float64
	itemsPerSec float64 // 0 for the latency benchmarks
	allocsPerOp float64
}

func measure(r testing.BenchmarkResult) figure {
	n := float64(r.N)
	return figure{
		nsPerOp:     float64(r.T.Nanoseconds()) / n,
		itemsPerSec: r.Extra["items/s"],
		allocsPerOp: float64(r.MemAllocs) / n,
	}
}

// A ratio is a figure derived from each round, compared with its target.
type ratio struct {
	name   string
	of     func(round map[string]figure) float64
	format string // of the measured value
	target string
	met    func(v float64) bool // nil: no target
}

var ratios = []ratio{
	{
		name:   "throughput slipstream/channels (items/s)",
		of:     itemsRatio("Pipeline/slipstream", "Pipeline/channels"),
		format: "%.2f×", target: "≥ 5×", met: func(v float64) bool { return v >= 5 },
	},
	{
		name:   "throughput slipstream/gostreams (items/s)",
		of:     itemsRatio("Pipeline/slipstream", "Pipeline/gostreams"),
		format: "%.1f×", target: "≥ 10×", met: func(v float64) bool { return v >= 10 },
	},
	{
		name:   "throughput slipstream/rill (items/s)",
		of:     itemsRatio("Pipeline/slipstream", "Pipeline/rill"),
		format: "%.2f×", target: "—",
	},
	{
		name:   "slipstream allocs/item (Pipeline)",
		of:     func(r map[string]figure) float64 { return r["Pipeline/slipstream"].allocsPerOp },
		format: "%.4f", target: "≤ 0.1", met: func(v float64) bool { return v <= 0.1 },
	},
	{
		name: "latency slipstream/channels (ns/op)",
		of: func(r map[string]figure) float64 {
			return r["Latency/slipstream"].nsPerOp / r["Latency/channels"].nsPerOp
		},
		format: "%.2f×", target: "≤ 2×", met: func(v float64) bool { return v <= 2 },
	},
}

func itemsRatio(a, b string) func(map[string]figure) float64 {
	return func(r map[string]figure) float64 { return r[a].itemsPerSec / r[b].itemsPerSec }
}

func main() {
	testing.Init()
	rounds := flag.Int("rounds", 5, "rounds of every benchmark; figures are the medians")
	benchtime := flag.String("benchtime", "500ms", "time (or Nx count) of each benchmark run, as go test's -benchtime")
	strict := flag.Bool("strict", false, "exit with status 1 if a target is not met")
	flag.Parse()
	if *rounds < 1 {
		fmt.Fprintln(os.Stderr, "ratios: -rounds must be at least 1")
		os.Exit(2)
	}
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		fmt.Fprintf(os.Stderr, "ratios: -benchtime: %v\n", err)
		os.Exit(2)
	}

	// Each round runs every benchmark once, starting one further along the
	// list than the round before, so that no benchmark always runs first
	// (on a cold machine) or right after the same neighbour.
	perRound := make([]map[string]figure, *rounds)
	for r := range perRound {
		perRound[r] = map[string]figure{}
		for i := range benches {
			b := benches[(i+r)%len(benches)]
			res := testing.Benchmark(b.f)
			if res.N == 0 {
				fmt.Fprintf(os.Stderr, "ratios: %s failed (run `go test -bench` to see why)\n", b.name)
				os.Exit(1)
			}
			f := measure(res)
			perRound[r][b.name] = f
			fmt.Fprintf(os.Stderr, "round %d/%d  %-20s %10d ops  %10.1f ns/op\n", r+1, *rounds, b.name, res.N, f.nsPerOp)
		}
	}
	if ok := report(os.Stdout, perRound, *benchtime); !ok && *strict {
		os.Exit(1)
	}
}

// report prints the tables and reports whether every target was met.
func report(w io.Writer, perRound []map[string]figure, benchtime string) bool {
	fmt.Fprintf(w, "## slipstream benchmarks\n\n")
	fmt.Fprintf(w, "%s %s/%s, GOMAXPROCS=%d, NumCPU=%d; median of %d rounds, benchtime %s each.\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), len(perRound), benchtime)

	fmt.Fprintln(w, "| benchmark | ns/op | items/s | allocs/op | ns/op spread |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, b := range benches {
		ns := collect(perRound, func(r map[string]figure) float64 { return r[b.name].nsPerOp })
		items := median(collect(perRound, func(r map[string]figure) float64 { return r[b.name].itemsPerSec }))
		allocs := median(collect(perRound, func(r map[string]figure) float64 { return r[b.name].allocsPerOp }))
		itemsCol := "—"
		if items > 0 {
			itemsCol = si(items)
		}
		m := median(ns)
		spread := (slices.Max(ns) - slices.Min(ns)) / m * 100
		fmt.Fprintf(w, "| %s | %.1f | %s | %.4f | %.0f%% |\n", b.name, m, itemsCol, allocs, spread)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "| ratio (median of per-round ratios) | measured | target | met |")
	fmt.Fprintln(w, "| --- | ---: | --- | --- |")
	all := true
	for _, r := range ratios {
		v := median(collect(perRound, r.of))
		met := "—"
		if r.met != nil {
			if r.met(v) {
				met = "yes"
			} else {
				met = "**no**"
				all = false
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.name, fmt.Sprintf(r.format, v), r.target, met)
	}
	return all
}

func collect(perRound []map[string]figure, of func(map[string]figure) float64) []float64 {
	vs := make([]float64, len(perRound))
	for i, r := range perRound {
		vs[i] = of(r)
	}
	return vs
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
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
