package kvbench

import (
	"testing"
	"time"
)

// An op does op number i of a benchmark on one side.
type op func(i int) error

// An env is what one benchmark runs on: the op of the slipstream side, the
// op of the baseline, or both, and what closes the databases they use.
type env struct {
	slip, base op
	close      func() error
}

// A setup opens an env with the ops asked for.
type setup func(slip, base bool) (*env, error)

// A Comparison is one benchmark and its two sides.
type Comparison struct {
	Name     string // the Benchmark function's, without "Benchmark"
	Slip     string // the sub-benchmark name of the slipstream side (for Transaction, the Set in a transaction)
	Base     string // the sub-benchmark name of the baseline (the bare Set)
	setup    setup
	baseTime bool // the ratio is of times (slip ÷ base), not of throughputs
}

// The comparisons, by Benchmark function.
var (
	Set         = Comparison{Name: "CacheSet", Slip: "slipstream", Base: "grocksdb", setup: setupSet}
	Get         = Comparison{Name: "CacheGet", Slip: "slipstream", Base: "grocksdb", setup: setupGet}
	Transaction = Comparison{Name: "Transaction", Slip: "transaction", Base: "set", setup: setupTransaction, baseTime: true}
)

// Comparisons lists them.
var Comparisons = []*Comparison{&Set, &Get, &Transaction}

// Slipstream is the benchmark of the slipstream side.
func (c *Comparison) Slipstream(b *testing.B) { runSide(b, c, true) }

// Baseline is the benchmark of the baseline side.
func (c *Comparison) Baseline(b *testing.B) { runSide(b, c, false) }

// SlipMetric names the figure of Interleaved that is the time of one op of
// the slipstream side, such as "slipstream-ns/op".
func (c *Comparison) SlipMetric() string { return c.Slip + "-ns/op" }

// BaseMetric names the figure of Interleaved that is the time of one op of
// the baseline, such as "grocksdb-ns/op".
func (c *Comparison) BaseMetric() string { return c.Base + "-ns/op" }

// Interleaved runs b.N ops of each side, alternating chunks of Chunk ops of
// one and of the other, and which goes first; one op is one op of each side.
// It reports each side's time per op (SlipMetric, BaseMetric), and their
// ratio: of throughputs, slipstream ÷ grocksdb
// ("slipstream/grocksdb-throughput"), or for Transaction of times,
// transaction ÷ set ("transaction/set-time").
func (c *Comparison) Interleaved(b *testing.B) {
	e, err := c.setup(true, true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	tSlip, tBase, err := interleave(b.N, e.slip, e.base)
	b.StopTimer()
	if cerr := e.close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tSlip.Nanoseconds())/n, c.SlipMetric())
	b.ReportMetric(float64(tBase.Nanoseconds())/n, c.BaseMetric())
	if c.baseTime {
		b.ReportMetric(float64(tSlip)/float64(tBase), c.Slip+"/"+c.Base+"-time")
	} else {
		b.ReportMetric(float64(tBase)/float64(tSlip), c.Slip+"/"+c.Base+"-throughput")
	}
}

// interleave runs ops 0..n-1 of both sides in alternating chunks and returns
// the time each side took.
func interleave(n int, slip, base op) (tSlip, tBase time.Duration, err error) {
	run := func(do op, from, to int, t *time.Duration) error {
		start := time.Now()
		for i := from; i < to; i++ {
			if err := do(i); err != nil {
				return err
			}
		}
		*t += time.Since(start)
		return nil
	}
	for from, c := 0, 0; from < n; from, c = from+Chunk, c+1 {
		to := min(from+Chunk, n)
		// Alternate which side goes first, so that neither always meets
		// the background work (flushes, compactions) the other started.
		first, second := slip, base
		t1, t2 := &tSlip, &tBase
		if c%2 == 1 {
			first, second, t1, t2 = base, slip, &tBase, &tSlip
		}
		if err := run(first, from, to, t1); err != nil {
			return tSlip, tBase, err
		}
		if err := run(second, from, to, t2); err != nil {
			return tSlip, tBase, err
		}
	}
	return tSlip, tBase, nil
}

// runSide runs b.N ops of one side and reports ops/s.
func runSide(b *testing.B, c *Comparison, slip bool) {
	e, err := c.setup(slip, !slip)
	if err != nil {
		b.Fatal(err)
	}
	do := e.base
	if slip {
		do = e.slip
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err = do(i); err != nil {
			break
		}
	}
	b.StopTimer()
	if cerr := e.close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
