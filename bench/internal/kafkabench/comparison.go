package kafkabench

import (
	"testing"
	"time"
)

// Chunk is the number of messages of one run of one side in the
// interleaved benchmarks.
const Chunk = 50_000

// chunk is Chunk, lowered by the package's tests.
var chunk = Chunk

// A Comparison is one benchmark and its sides: slipstream, then the
// baselines it is compared with.
type Comparison struct {
	Name  string // the Benchmark function's, without "Benchmark"
	sides []side // slipstream first
	// runSize is the number of ops of one run of one side; nil means
	// chunk.
	runSize *int
}

// A side is one program of a comparison.
type side struct {
	name    string // its sub-benchmark's: slipstream, confluent, goka, raw
	prepare prepare
}

// The comparisons of Topic with raw confluent-kafka-go, by Benchmark
// function. SendAsync compares the Topic alone, outside an app, with the
// same raw loop as Produce.
var (
	Produce   = Comparison{Name: "Produce", sides: []side{{"slipstream", prepareProduceSlipstream}, {"confluent", prepareProduceConfluent}, {"metrics", prepareProduceMetrics}}}
	SendAsync = Comparison{Name: "SendAsync", sides: []side{{"slipstream", prepareSendAsync}, {"confluent", prepareProduceConfluent}}}
	Consume   = Comparison{Name: "Consume", sides: []side{{"slipstream", prepareConsumeSlipstream}, {"confluent", prepareConsumeConfluent}, {"metrics", prepareConsumeMetrics}}}
	// TopicToTopicMetrics is consume → Map → produce without metrics and
	// with them (see metrics.go).
	TopicToTopicMetrics = Comparison{Name: "TopicToTopicMetrics", sides: []side{{"slipstream", prepareTopicToTopic}, {"metrics", prepareTopicToTopicMetrics}}}
)

// Comparisons lists the comparisons of Topic with raw confluent-kafka-go;
// StateComparisons (state.go) lists those of package state.
var Comparisons = []*Comparison{&Produce, &SendAsync, &Consume, &TopicToTopicMetrics}

// Sides returns the names of c's sides, slipstream first.
func (c *Comparison) Sides() []string {
	names := make([]string, len(c.sides))
	for i, s := range c.sides {
		names[i] = s.name
	}
	return names
}

// size returns the number of ops of one run of one side.
func (c *Comparison) size() int {
	if c.runSize != nil {
		return *c.runSize
	}
	return chunk
}

// Slipstream is the benchmark of the slipstream side.
func (c *Comparison) Slipstream(b *testing.B) { c.side(b, c.sides[0].prepare) }

// Confluent is the benchmark of the raw confluent-kafka-go side.
func (c *Comparison) Confluent(b *testing.B) { c.Baseline("confluent")(b) }

// Baseline returns the benchmark of the side called name; it panics if c
// has none.
func (c *Comparison) Baseline(name string) func(*testing.B) {
	for _, s := range c.sides[1:] {
		if s.name == name {
			return func(b *testing.B) { c.side(b, s.prepare) }
		}
	}
	panic("kafkabench: " + c.Name + " has no side " + name)
}

// prepares returns the prepares of c's sides.
func (c *Comparison) prepares() []prepare {
	ps := make([]prepare, len(c.sides))
	for i, s := range c.sides {
		ps[i] = s.prepare
	}
	return ps
}

// ready returns the broker, once every side has made its first, untimed
// run against it.
func (c *Comparison) ready(b *testing.B) broker {
	br, err := theBroker()
	if err == nil {
		err = warmUp(c.Name, br, c.size(), c.prepares()...)
	}
	if err != nil {
		b.Fatal(err)
	}
	return br
}

// side times b.N ops of one side, in runs of c's run size as Interleaved
// does, and reports ops per second (msgs/s).
func (c *Comparison) side(b *testing.B, p prepare) {
	br := c.ready(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	size := c.size()
	for from := 0; from < b.N; from += size {
		if err := timed(br, p, min(size, b.N-from), b.StartTimer, b.StopTimer); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// TopicToTopic is the benchmark of consume → stream.Map → produce: one run
// of b.N messages, after an untimed one of Chunk messages.
func TopicToTopic(b *testing.B) {
	br, err := theBroker()
	if err == nil {
		err = warmUp("TopicToTopic", br, chunk, prepareTopicToTopic)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	if err := timed(br, prepareTopicToTopic, b.N, b.StartTimer, b.StopTimer); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// Metric names that Interleaved reports for the Kafka comparisons (see
// NsPerOp).
const (
	SlipNsPerOp = "slipstream-ns/op" // time of one message of the slipstream side
	BaseNsPerOp = "confluent-ns/op"  // time of one message of confluent-kafka-go
)

// NsPerOp returns the name of the metric of the time of one op of the
// side called side, as Interleaved reports it.
func NsPerOp(side string) string { return side + "-ns/op" }

// Interleaved makes b.N ops on each side, in alternating runs of c's run
// size, rotating which side goes first; one op is one op of each side. It
// reports each side's time per op (NsPerOp) and the ratio of each side's
// throughput to each later side's ("slipstream/confluent-throughput").
func (c *Comparison) Interleaved(b *testing.B) {
	br := c.ready(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	spent := make([]time.Duration, len(c.sides))
	size := c.size()
	for from, i := 0, 0; from < b.N; from, i = from+size, i+1 {
		for j := range c.sides {
			k := (i + j) % len(c.sides)
			var start time.Time
			err := timed(br, c.sides[k].prepare, min(size, b.N-from), func() {
				b.StartTimer()
				start = time.Now()
			}, func() {
				spent[k] += time.Since(start)
				b.StopTimer()
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N)
	for k, s := range c.sides {
		b.ReportMetric(float64(spent[k].Nanoseconds())/n, NsPerOp(s.name))
		for j, first := range c.sides[:k] {
			b.ReportMetric(float64(spent[k])/float64(spent[j]), first.name+"/"+s.name+"-throughput")
		}
	}
}
