// Package bench compares slipstream's throughput and latency with
// hand-written channels, go-streams and rill. The benchmark bodies live in
// internal/pipeline, shared with cmd/ratios.
package bench

import (
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/pipeline"
)

// BenchmarkPipeline: one op is one int through Map(x*3) → Filter(even) →
// Map(x+1) into a summing sink.
func BenchmarkPipeline(b *testing.B) {
	b.Run("slipstream", pipeline.Slipstream)
	b.Run("channels", pipeline.Channels)
	b.Run("gostreams", pipeline.GoStreams)
	b.Run("rill", pipeline.Rill)
}

// BenchmarkLatency: one op is one round trip of one item through an idle,
// running Map → Map → Map pipeline.
func BenchmarkLatency(b *testing.B) {
	b.Run("slipstream", pipeline.SlipstreamLatency)
	b.Run("channels", pipeline.ChannelsLatency)
}
