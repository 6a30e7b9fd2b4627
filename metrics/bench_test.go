package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// BenchmarkCost is what metrics cost an in-memory pipeline, the cheapest
// there is (source.Slice → Map → a handler that sums): an app without
// metrics and one with them run in turns, 100,000 items each, and the
// benchmark reports each side's time per item and the ratio of the two
// (on/off). The Kafka figures, with and without metrics, are in
// bench/README.md.
func BenchmarkCost(b *testing.B) {
	const run = 100_000
	in := make([]int, run)
	for i := range in {
		in[i] = i
	}
	var spent [2]time.Duration
	for done, turn := 0, 0; done < b.N; done, turn = done+run, turn+1 {
		for k := range 2 {
			side := (turn + k) % 2 // which side goes first alternates
			var opts []stream.Option
			if side == 1 {
				opts = append(opts, metrics.With(prometheus.NewRegistry(), "bench"))
			}
			sum := 0
			app := stream.NewApp(opts...)
			stream.Handle(app, stream.Map(source.Slice(in[:min(run, b.N-done)]), double), stream.Do(func(v int) { sum += v }))
			start := time.Now()
			if err := app.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			spent[side] += time.Since(start)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(spent[0].Nanoseconds())/n, "off-ns/item")
	b.ReportMetric(float64(spent[1].Nanoseconds())/n, "on-ns/item")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "on/off-time")
}
