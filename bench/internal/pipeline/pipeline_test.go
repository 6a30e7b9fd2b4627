package pipeline

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

// TestThroughputSums runs every throughput pipeline on inputs around the
// sizes where chunking and buffering change behaviour.
func TestThroughputSums(t *testing.T) {
	for _, p := range Throughput {
		t.Run(p.Name, func(t *testing.T) {
			for _, n := range []int{0, 1, 2, 63, 64, 65, 511, 512, 513, 10_000} {
				in := Input(n)
				got, err := within(t, func() (int, error) { return p.Prepare(in)() })
				if err != nil {
					t.Fatalf("n=%d: %v", n, err)
				}
				if want := Expected(in); got != want {
					t.Fatalf("n=%d: sum %d, want %d", n, got, want)
				}
			}
		})
	}
}

// TestLatencyLoops makes round trips through every latency pipeline and
// checks that it stops cleanly.
func TestLatencyLoops(t *testing.T) {
	for _, p := range Latency {
		t.Run(p.Name, func(t *testing.T) {
			_, err := within(t, func() (int, error) {
				l := p.Start()
				for i := range 1000 {
					if err := roundTrip(l, i); err != nil {
						return 0, err
					}
				}
				return 0, l.Stop()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBenchmarks runs each benchmark body once through testing.Benchmark
// with a small N, as cmd/ratios does.
func TestBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for name, f := range map[string]func(*testing.B){
		"Slipstream": Slipstream, "Channels": Channels, "GoStreams": GoStreams, "Rill": Rill,
		"SlipstreamLatency": SlipstreamLatency, "ChannelsLatency": ChannelsLatency,
	} {
		t.Run(name, func(t *testing.T) {
			r := runN(t, f, 1000)
			if r.N != 1000 {
				t.Fatalf("ran %d ops, want 1000 (did the body fail?)", r.N)
			}
		})
	}
}

// within runs f and fails t if it has not returned in 10 seconds (a deadlock).
func within(t *testing.T, f func() (int, error)) (int, error) {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := f()
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		return r.n, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("pipeline did not finish within 10s")
		return 0, nil
	}
}

// runN runs f through testing.Benchmark with b.N fixed at n.
func runN(t *testing.T, f func(*testing.B), n int) testing.BenchmarkResult {
	t.Helper()
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	if err := bt.Value.Set(fmt.Sprintf("%dx", n)); err != nil {
		t.Fatal(err)
	}
	defer bt.Value.Set(old)
	return testing.Benchmark(f)
}
