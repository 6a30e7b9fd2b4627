package onerror_test

import (
	"context"
	"testing"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

// BenchmarkHandler: one op is one int through a FuncErr handler that never
// fails, into a discarding sink, without a policy and under one; the
// policy's cost on the path of an input that succeeds.
func BenchmarkHandler(b *testing.B) {
	double := stream.FuncErr(func(_ context.Context, v int) (int, error) { return 2 * v, nil })
	for _, c := range []struct {
		name string
		h    stream.Handler[int, int]
	}{
		{"none", double},
		{"retry-skip", onerror.Skip(onerror.Retry(double, fast))},
	} {
		b.Run(c.name, func(b *testing.B) {
			items := make([]int, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			app := stream.NewApp()
			stream.Handle(app, source.Slice(items), c.h, sink.Discard[int]())
			if err := app.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
	}
}
