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

// A Comparison is one benchmark and its two sides.
type Comparison struct {
	Name       string // the Benchmark function's, without "Benchmark"
	slip, base prepare
}

// The comparisons, by Benchmark function. SendAsync compares the Topic
// alone, outside an app, with the same raw loop as Produce.
var (
	Produce   = Comparison{Name: "Produce", slip: prepareProduceSlipstream, base: prepareProduceConfluent}
	SendAsync = Comparison{Name: "SendAsync", slip: prepareSendAsync, base: prepareProduceConfluent}
	Consume   = Comparison{Name: "Consume", slip: prepareConsumeSlipstream, base: prepareConsumeConfluent}
)

// Comparisons lists them.
var Comparisons = []*Comparison{&Produce, &SendAsync, &Consume}

// Slipstream is the benchmark of the slipstream side.
func (c *Comparison) Slipstream(b *testing.B) { c.side(b, c.slip) }

// Confluent is the benchmark of the raw confluent-kafka-go side.
func (c *Comparison) Confluent(b *testing.B) { c.side(b, c.base) }

// ready returns the broker, once both sides have made their first,
// untimed runs against it.
func (c *Comparison) ready(b *testing.B) broker {
	br, err := theBroker()
	if err == nil {
		err = warmUp(c.Name, br, c.slip, c.base)
	}
	if err != nil {
		b.Fatal(err)
	}
	return br
}

// side times b.N messages of one side, in runs of Chunk messages as
// Interleaved does, and reports messages per second.
func (c *Comparison) side(b *testing.B, p prepare) {
	br := c.ready(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	for from := 0; from < b.N; from += chunk {
		if err := timed(br, p, min(chunk, b.N-from), b.StartTimer, b.StopTimer); err != nil {
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
		err = warmUp("TopicToTopic", br, prepareTopicToTopic)
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

// Metric names that Interleaved reports.
const (
	SlipNsPerOp = "slipstream-ns/op" // time of one message of the slipstream side
	BaseNsPerOp = "confluent-ns/op"  // time of one message of confluent-kafka-go
)

// Interleaved moves b.N messages on each side, in alternating runs of
// Chunk messages, alternating which side goes first; one op is one message
// of each side. It reports each side's time per message (SlipNsPerOp,
// BaseNsPerOp) and the ratio of their throughputs, slipstream ÷
// confluent-kafka-go ("slipstream/confluent-throughput").
func (c *Comparison) Interleaved(b *testing.B) {
	br := c.ready(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	var tSlip, tBase time.Duration
	for from, i := 0, 0; from < b.N; from, i = from+chunk, i+1 {
		sides := []struct {
			p prepare
			t *time.Duration
		}{{c.slip, &tSlip}, {c.base, &tBase}}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, s := range sides {
			var start time.Time
			err := timed(br, s.p, min(chunk, b.N-from), func() {
				b.StartTimer()
				start = time.Now()
			}, func() {
				*s.t += time.Since(start)
				b.StopTimer()
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(tSlip.Nanoseconds())/n, SlipNsPerOp)
	b.ReportMetric(float64(tBase.Nanoseconds())/n, BaseNsPerOp)
	b.ReportMetric(float64(tBase)/float64(tSlip), "slipstream/confluent-throughput")
}
