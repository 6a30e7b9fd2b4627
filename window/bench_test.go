package window_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// BenchmarkWindow counts records per key in windows, state in RocksDB:
// one op is one record aggregated. /tumbling and /hopping run the
// operator, bound to an app, and in the same run, in alternating chunks,
// the same aggregation written by hand on a kv.Cache (/hand alone runs
// only that); they report the hand-written code's ns/op and "x-hand", the
// operator's speed as a multiple of it (target: 0.8 or more).
//
// The hand-written code is what a careful user writes without package
// window: each window of a key under codec.PairKey(key, start), read,
// folded and written back per record, its result handed on, and closed
// windows deleted by an index kept in memory. The operator also stores
// that index and stream time, so that both survive a restart.
func BenchmarkWindow(b *testing.B) {
	size := 10 * time.Second
	kinds := []struct {
		name string
		w    window.Windows
		adv  time.Duration
	}{
		{"tumbling", window.Tumbling(size), size},
		{"hopping", window.Hopping(size, size/2), size / 2},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			op := newBenchOp(b, k.w)
			h := newHand(b, size, k.adv)
			var opTime, handTime time.Duration
			next := 0
			for n := 0; n < b.N; {
				chunk := benchChunk(next, min(benchChunkLen, b.N-n))
				start := time.Now()
				op.run(b, chunk)
				opTime += time.Since(start)
				b.StopTimer()
				start = time.Now()
				h.run(b, chunk)
				handTime += time.Since(start)
				b.StartTimer()
				next += len(chunk)
				n += len(chunk)
			}
			b.ReportMetric(float64(handTime.Nanoseconds())/float64(b.N), "hand-ns/op")
			b.ReportMetric(float64(handTime)/float64(opTime), "x-hand")
		})
	}
	b.Run("hand", func(b *testing.B) {
		h := newHand(b, size, size)
		for n := 0; n < b.N; {
			chunk := benchChunk(n, min(benchChunkLen, b.N-n))
			h.run(b, chunk)
			n += len(chunk)
		}
	})
}

const (
	benchKeys     = 100
	benchChunkLen = 5000
)

// benchChunk returns n records from the from-th on: keys in turn, 1 ms
// apart, so that a 10 s window of a key holds 100 records.
func benchChunk(from, n int) []rec {
	rs := make([]rec, n)
	for i := range rs {
		j := from + i
		rs[i] = rec{Key: benchKeyNames[j%benchKeys], At: float64(j)}
	}
	return rs
}

var benchKeyNames = func() []string {
	ks := make([]string, benchKeys)
	for i := range ks {
		ks[i] = fmt.Sprintf("user%03d", i)
	}
	return ks
}()

// benchOp is the operator side: each chunk is one app run.
type benchOp struct {
	op      *window.Operator[rec, string, int64]
	results int
}

func newBenchOp(b *testing.B, w window.Windows) *benchOp {
	c, err := kv.Open(b.TempDir(), codec.Bytes(), codec.Bytes(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	op, err := window.New(w, recs, counting, window.InCache(c), nil)
	if err != nil {
		b.Fatal(err)
	}
	return &benchOp{op: op}
}

func (o *benchOp) run(b *testing.B, rs []rec) {
	app := stream.NewApp()
	window.Handle(app, source.Slice(rs), o.op, stream.SinkFunc[window.Result[string, int64]](func(context.Context, window.Result[string, int64]) error {
		o.results++
		return nil
	}))
	if err := app.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// hand is the same count written by hand on a kv.Cache.
type hand struct {
	c         *kv.Cache[codec.Pair[string, time.Time], int64]
	size, adv time.Duration
	now       time.Time
	open      map[time.Time][]string // the keys with a window at each start
	results   int
}

func newHand(b *testing.B, size, adv time.Duration) *hand {
	c, err := kv.Open(b.TempDir(), codec.PairKey(codec.StringKey(), codec.Time()), codec.Int[int64](), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return &hand{c: c, size: size, adv: adv, open: map[time.Time][]string{}}
}

func (h *hand) run(b *testing.B, rs []rec) {
	for _, r := range rs {
		if err := h.add(r); err != nil {
			b.Fatal(err)
		}
	}
}

func (h *hand) add(r rec) error {
	t := ms(r.At)
	if t.After(h.now) {
		h.now = t
	}
	for start := t.Truncate(h.adv); start.After(t.Add(-h.size)); start = start.Add(-h.adv) {
		if !h.now.Before(start.Add(h.size)) {
			continue // closed: late
		}
		k := codec.NewPair(r.Key, start)
		n, err := h.c.Get(k)
		if err != nil {
			return err
		}
		if n.IsAbsent() {
			h.open[start] = append(h.open[start], r.Key)
		}
		count := n.OrEmpty() + 1
		if err := h.c.Set(k, count); err != nil {
			return err
		}
		h.results++ // the result, handed on
	}
	for start, keys := range h.open {
		if h.now.Before(start.Add(h.size)) {
			continue
		}
		for _, key := range keys {
			if err := h.c.Delete(codec.NewPair(key, start)); err != nil {
				return err
			}
		}
		delete(h.open, start)
	}
	return nil
}
