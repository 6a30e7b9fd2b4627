package stream_test

import (
	"context"
	"iter"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/stream"
)

// TestEveryCombinatorIsBounded reads an endless source through each
// combinator into a slow handler: the source may run ahead of the handler by
// a few chunks per goroutine boundary, never without bound.
func TestEveryCombinatorIsBounded(t *testing.T) {
	same := func(n int64) int64 { return n }
	cases := []struct {
		name  string
		build func(src stream.Source[int64]) stream.Stream[int64]
	}{
		{"Map", func(s stream.Source[int64]) stream.Stream[int64] { return stream.Map(s, same) }},
		{"Filter", func(s stream.Source[int64]) stream.Stream[int64] {
			return stream.Filter(s, func(int64) bool { return true })
		}},
		{"FlatMap", func(s stream.Source[int64]) stream.Stream[int64] {
			return stream.FlatMap(s, func(n int64) iter.Seq[int64] {
				return func(yield func(int64) bool) { yield(n) }
			})
		}},
		{"Scan", func(s stream.Source[int64]) stream.Stream[int64] {
			return stream.Scan(s, 0, func(_, n int64) int64 { return n })
		}},
		{"Pairwise", func(s stream.Source[int64]) stream.Stream[int64] {
			return stream.Map(stream.Pairwise(s), func(p [2]int64) int64 { return p[1] })
		}},
		{"Async", func(s stream.Source[int64]) stream.Stream[int64] { return stream.Async(s) }},
		{"Merge", func(s stream.Source[int64]) stream.Stream[int64] { return stream.Merge(s) }},
		{"Tee", func(s stream.Source[int64]) stream.Stream[int64] {
			b := stream.Tee(s, 2)
			// The other branch is fast; the slow handler sets the pace.
			return stream.Merge(b[0], stream.Filter(b[1], func(int64) bool { return false }))
		}},
		{"Batch", func(s stream.Source[int64]) stream.Stream[int64] {
			return stream.FlatMap(stream.Batch(s, 10, time.Hour), slices.Values)
		}},
		{"MapConcurrent", func(s stream.Source[int64]) stream.Stream[int64] {
			return stream.MapConcurrent(s, 4, func(_ context.Context, n int64) (int64, error) { return n, nil })
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := &countingSource{}
			var handled atomic.Int64
			var most int64
			ctx, cancel := context.WithCancel(context.Background())
			app := stream.NewApp()
			stream.Handle(app, c.build(src), stream.Do(func(int64) {
				h := handled.Add(1)
				for range 20 {
					runtime.Gosched() // slow: the source could race far ahead
				}
				most = max(most, src.written.Load()-h)
				if h == 3000 {
					cancel()
				}
			}))
			if err := app.Run(ctx); err != nil {
				t.Fatal(err)
			}
			const bound = 3000 // several chunks of 64 per boundary
			if most > bound {
				t.Fatalf("the source ran %d items ahead of the handler, want at most %d", most, bound)
			}
		})
	}
}
