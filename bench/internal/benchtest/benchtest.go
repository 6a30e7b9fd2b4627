// Package benchtest helps the tests of the benchmark bodies run them the way
// cmd/ratios does, through testing.Benchmark, with a small fixed b.N.
package benchtest

import (
	"flag"
	"fmt"
	"testing"
)

// RunN runs f through testing.Benchmark with b.N fixed at n, and fails t
// unless f ran n ops (a body that calls b.Fatal reports N = 0).
func RunN(t *testing.T, f func(*testing.B), n int) testing.BenchmarkResult {
	t.Helper()
	bt := flag.Lookup("test.benchtime")
	old := bt.Value.String()
	if err := bt.Value.Set(fmt.Sprintf("%dx", n)); err != nil {
		t.Fatal(err)
	}
	defer bt.Value.Set(old)
	r := testing.Benchmark(f)
	if r.N != n {
		t.Fatalf("ran %d ops, want %d (did the body fail? run it with go test -bench to see why)", r.N, n)
	}
	return r
}
