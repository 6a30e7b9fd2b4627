// Command kafkacosts measures what the slipstream side and a baseline of
// a comparison spend per message (wall time, CPU time and the garbage
// collector's marking), in alternating pairs of runs (of 50,000 messages,
// Restore's of 200,000 records), with the broker in a child process so
// that the CPU figures are the clients' alone. It prints a markdown table.
// By default it measures each Kafka comparison against raw
// confluent-kafka-go; -only names one comparison, -side and -against the
// two sides to measure (Count's slipstream against raw or goka, say).
//
// It is for weighing a change to the library more finely than the wall
// times of cmd/ratios can: CPU per message varies less from run to run on
// a shared machine than wall time does, though still by about ±150 ns
// between runs of 24 pairs on 2 cores. Compare runs made close together.
//
//	cd bench && go run ./cmd/kafkacosts [-pairs 24] [-only Produce]
//	cd bench && go run ./cmd/kafkacosts -pairs 8 -only Count -against raw
//	cd bench && go run ./cmd/kafkacosts -pairs 8 -only TopicToTopic -side alo -against raw
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
)

func main() {
	kafkabench.ServeBrokerIfChild()
	pairs := flag.Int("pairs", 24, "pairs of runs of each comparison")
	only := flag.String("only", "", "one comparison: Produce, SendAsync, Consume, TopicToTopicMetrics, TopicToTopic, Restore or Count (default the first four)")
	side := flag.String("side", "", "the side to measure, by its name (default the comparison's first: slipstream, or TopicToTopic's eos)")
	against := flag.String("against", "", "the side to compare it with (default the comparison's first baseline: confluent, raw, alo)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (both sides: tell them apart by their functions) to `file`")
	flag.Parse()
	if *pairs < 1 {
		fmt.Fprintln(os.Stderr, "kafkacosts: -pairs must be at least 1")
		os.Exit(2)
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err == nil {
		err = run(os.Stdout, *pairs, *only, *side, *against)
		err = errors.Join(err, stopProfile())
	}
	kafkabench.Cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kafkacosts:", err)
		os.Exit(1)
	}
}

// run measures the comparison named by only (the Kafka ones if empty), its
// side called side against the one called against (see Comparison.Costs),
// and prints their table to w.
func run(w io.Writer, pairs int, only, side, against string) error {
	comparisons := kafkabench.Comparisons
	if only != "" {
		comparisons = nil
		for _, c := range append(kafkabench.Comparisons, append(kafkabench.StateComparisons, &kafkabench.TopicToTopicModes)...) {
			if c.Name == only {
				comparisons = append(comparisons, c)
			}
		}
		if comparisons == nil {
			return fmt.Errorf("-only %q: want Produce, SendAsync, Consume, TopicToTopicMetrics, TopicToTopic, Restore or Count", only)
		}
	}
	fmt.Fprintf(w, "%d pairs of runs per comparison, broker: %s\n\n", pairs, kafkabench.BrokerPlace())
	fmt.Fprintln(w, "| comparison | side | wall/msg | CPU/msg | GC mark/msg | throughput ratio (median of pairs) |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: |")
	for _, c := range comparisons {
		r, err := c.Costs(pairs, side, against)
		if err != nil {
			return err
		}
		for i, cost := range r.Costs {
			ratio := ""
			if i == 0 {
				ratio = fmt.Sprintf("%.3f×", r.Ratio)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", c.Name, r.Names[i], ns(cost.Wall), ns(cost.CPU), ns(cost.GCMark), ratio)
		}
	}
	return nil
}

// startCPUProfile starts a CPU profile to the file called name, if any,
// and returns the function that stops it.
func startCPUProfile(name string) (stop func() error, err error) {
	if name == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// ns formats d in nanoseconds.
func ns(d time.Duration) string { return fmt.Sprintf("%d ns", d.Nanoseconds()) }
