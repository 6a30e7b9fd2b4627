// Command kafkacosts measures what the slipstream and confluent-kafka-go
// sides of each Kafka comparison spend per message (wall time, CPU time
// and the garbage collector's marking), in alternating pairs of runs of
// 50,000 messages, with the broker in a child process so that the CPU
// figures are the clients' alone. It prints a markdown table.
//
// It is for weighing a change to the library more finely than the wall
// times of cmd/ratios can: CPU per message varies less from run to run on
// a shared machine than wall time does, though still by about ±150 ns
// between runs of 24 pairs on 2 cores. Compare runs made close together.
//
//	cd bench && go run ./cmd/kafkacosts [-pairs 24] [-only Produce]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
)

func main() {
	kafkabench.ServeBrokerIfChild()
	pairs := flag.Int("pairs", 24, "pairs of runs of each comparison")
	only := flag.String("only", "", "one comparison: Produce, SendAsync or Consume (default all)")
	flag.Parse()
	if *pairs < 1 {
		fmt.Fprintln(os.Stderr, "kafkacosts: -pairs must be at least 1")
		os.Exit(2)
	}
	err := run(os.Stdout, *pairs, *only)
	kafkabench.Cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kafkacosts:", err)
		os.Exit(1)
	}
}

// run measures the comparisons named by only (all if empty) and prints
// their table to w.
func run(w io.Writer, pairs int, only string) error {
	fmt.Fprintf(w, "%d pairs of %d-message runs per comparison, broker: %s\n\n", pairs, kafkabench.Chunk, kafkabench.BrokerPlace())
	fmt.Fprintln(w, "| comparison | side | wall/msg | CPU/msg | GC mark/msg | throughput ratio (median of pairs) |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: |")
	found := false
	for _, c := range kafkabench.Comparisons {
		if only != "" && only != c.Name {
			continue
		}
		found = true
		r, err := c.Costs(pairs)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s | slipstream | %s | %s | %s | %.3f× |\n", c.Name, ns(r.Slipstream.Wall), ns(r.Slipstream.CPU), ns(r.Slipstream.GCMark), r.Ratio)
		fmt.Fprintf(w, "| %s | confluent | %s | %s | %s | |\n", c.Name, ns(r.Confluent.Wall), ns(r.Confluent.CPU), ns(r.Confluent.GCMark))
	}
	if !found {
		return fmt.Errorf("-only %q: want Produce, SendAsync or Consume", only)
	}
	return nil
}

// ns formats d in nanoseconds.
func ns(d time.Duration) string { return fmt.Sprintf("%d ns", d.Nanoseconds()) }
