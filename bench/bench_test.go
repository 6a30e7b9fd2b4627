// Package bench compares slipstream's throughput and latency with
// hand-written channels, go-streams and rill. The benchmark bodies live in
// internal/pipeline, shared with cmd/ratios.
package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
	"github.com/slipstream-go/slipstream/bench/internal/kvbench"
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

// BenchmarkCacheSet: one op is one write of a 100-byte value under a random
// one of a million string keys, into a database that starts empty: a
// Cache[string, []byte] opened with nil options against grocksdb's Put on a
// database opened with the same options. The interleaved sub-benchmark runs
// both in alternating chunks and reports their ratio.
func BenchmarkCacheSet(b *testing.B) {
	b.Run("slipstream", kvbench.Set.Slipstream)
	b.Run("grocksdb", kvbench.Set.Baseline)
	b.Run("interleaved", kvbench.Set.Interleaved)
}

// BenchmarkCacheGet: one op is one read of a random key of a database of a
// million keys, filled once per process: Cache.Get against grocksdb's
// GetBytes on a copy of the same database.
func BenchmarkCacheGet(b *testing.B) {
	b.Run("slipstream", kvbench.Get.Slipstream)
	b.Run("grocksdb", kvbench.Get.Baseline)
	b.Run("interleaved", kvbench.Get.Interleaved)
}

// BenchmarkTransaction: one op is one Cache.Set, bare or inside an
// uncontended Cache.Transaction on its key.
func BenchmarkTransaction(b *testing.B) {
	b.Run("set", kvbench.Transaction.Baseline)
	b.Run("transaction", kvbench.Transaction.Slipstream)
	b.Run("interleaved", kvbench.Transaction.Interleaved)
}

// BenchmarkProduce: one op is one 100-byte message sent to a topic of the
// benchmarks' broker (a child process) and acknowledged: a Topic as the sink of an app fed by
// source.Slice, against a raw Producer.Produce loop reading delivery
// reports. The sendasync forms measure the Topic alone: a loop calling
// Topic.SendAsync against the same raw loop.
func BenchmarkProduce(b *testing.B) {
	b.Run("slipstream", kafkabench.Produce.Slipstream)
	b.Run("confluent", kafkabench.Produce.Confluent)
	b.Run("interleaved", kafkabench.Produce.Interleaved)
	b.Run("sendasync", kafkabench.SendAsync.Slipstream)
	b.Run("sendasync-interleaved", kafkabench.SendAsync.Interleaved)
}

// BenchmarkConsume: one op is one message read from a topic filled
// beforehand, from its beginning, in runs of 50,000 messages: a Topic
// source in an app, tracked and committed, against a raw Consumer.Poll loop
// with auto-commit.
func BenchmarkConsume(b *testing.B) {
	b.Run("slipstream", kafkabench.Consume.Slipstream)
	b.Run("confluent", kafkabench.Consume.Confluent)
	b.Run("interleaved", kafkabench.Consume.Interleaved)
}

// BenchmarkTopicToTopic: one op is one message read from a topic, mapped
// and sent to another; it reports messages per second. slipstream is one
// run of b.N messages at-least-once; the others run 50,000 at a time: alo
// at-least-once, eos in exactly-once mode at the default commit interval
// (eos-10ms and eos-1s at others), raw a hand-written confluent-kafka-go
// loop that stores an offset only once its output is delivered, and
// interleaved all three in alternation, reporting eos/alo, eos/raw and
// alo/raw throughput ratios.
func BenchmarkTopicToTopic(b *testing.B) {
	b.Run("slipstream", kafkabench.TopicToTopic)
	b.Run("alo", kafkabench.TopicToTopicModes.Baseline("alo"))
	b.Run("eos", kafkabench.TopicToTopicModes.Slipstream)
	b.Run("raw", kafkabench.TopicToTopicModes.Baseline("raw"))
	b.Run("interleaved", kafkabench.TopicToTopicModes.Interleaved)
	for _, d := range []time.Duration{10 * time.Millisecond, time.Second} {
		b.Run("eos-"+d.String(), kafkabench.TopicToTopicEOS(d))
	}
}

// BenchmarkRestore: one op is one changelog record restored, from a
// changelog of 200,000 records of 10,000 counters on 4 partitions, into a
// fresh directory: a state.Table's Assigned with every partition, against
// one raw consumer of every partition writing to a grocksdb database per
// partition with the same options and batches.
func BenchmarkRestore(b *testing.B) {
	b.Run("slipstream", kafkabench.Restore.Slipstream)
	b.Run("raw", kafkabench.Restore.Baseline("raw"))
	b.Run("interleaved", kafkabench.Restore.Interleaved)
}

// BenchmarkCount: one op is one message counted per key into persistent
// state, its change acknowledged by the changelog, in runs of 50,000
// messages: an app with a state.Table, against a goka processor with a
// group table and a raw consume → grocksdb → produce loop with
// at-least-once commits; and the app with its handler run as N copies
// (stream.Handler.Parallel), N = 1, 2, 4, on the topic's 4 partitions.
func BenchmarkCount(b *testing.B) {
	b.Run("slipstream", kafkabench.Count.Slipstream)
	b.Run("goka", kafkabench.Count.Baseline("goka"))
	b.Run("raw", kafkabench.Count.Baseline("raw"))
	for _, n := range []int{1, 2, 4} {
		name := fmt.Sprint("partitions-", n)
		b.Run(name, kafkabench.Count.Baseline(name))
	}
	b.Run("interleaved", kafkabench.Count.Interleaved)
}
