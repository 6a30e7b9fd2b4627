package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/bench/internal/selfproc"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// The topics of the soak: the app reads inTopic and writes outTopic.
const (
	inTopic    = "soak-in"
	outTopic   = "soak-out"
	partitions = 4
	valueSize  = 100 // bytes of every message value, as in the Kafka benchmarks
)

// envServe marks the child process that serves the broker; its value is
// the backlog the feeder keeps.
const envServe = "SOAK_SERVE_BROKER"

// serveBrokerIfChild serves the broker and feeds it, then exits, if the
// process is the child that startBroker started; otherwise it returns at
// once.
//
// The broker keeps every message in memory, and the soak moves hundreds
// of millions: so the child also feeds the input topic, keeping it backlog
// messages ahead of the app, and deletes what the app has read from it
// and everything written to the output topic, which nothing reads. All of
// that is apart from the app's process, whose memory the soak measures.
func serveBrokerIfChild() {
	env := os.Getenv(envServe)
	if env == "" {
		return
	}
	var backlog int64
	if _, err := fmt.Sscan(env, &backlog); err != nil || backlog < 1 {
		fmt.Fprintf(os.Stderr, "soak: broker: %s=%q: want a positive backlog\n", envServe, env)
		os.Exit(1)
	}
	b, err := kafkatest.Start(kafkatest.WithTopic(inTopic, partitions), kafkatest.WithTopic(outTopic, partitions))
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak: broker:", err)
		os.Exit(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr()), kgo.DefaultProduceTopic(inTopic),
		kgo.RecordPartitioner(kgo.RoundRobinPartitioner()), kgo.ProducerLinger(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak: broker:", err)
		os.Exit(1)
	}
	f := &feeder{b: b, cl: cl, backlog: backlog}
	done := make(chan error, 1)
	go func() { done <- f.run(ctx) }()
	fmt.Println(b.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it, or exits
	cancel()
	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "soak: feeder:", err)
	}
	cl.Close()
	b.Close()
	os.Exit(0)
}

// A feeder keeps the input topic backlog messages ahead of the app, and
// trims both topics.
type feeder struct {
	b       *kafkatest.Broker
	cl      *kgo.Client
	backlog int64
}

// feedChunk is how many messages the feeder sends between two looks at
// the backlog.
const feedChunk = 5000

// run feeds and trims until ctx is done.
func (f *feeder) run(ctx context.Context) error {
	value := make([]byte, valueSize)
	for i := range value {
		value[i] = '.'
	}
	lastTrim := time.Now()
	for ctx.Err() == nil {
		in, out := f.b.Cluster().PartitionInfos(inTopic), f.b.Cluster().PartitionInfos(outTopic)
		if time.Since(lastTrim) > time.Second {
			if err := f.trim(ctx, in, out); err != nil {
				return err
			}
			lastTrim = time.Now()
		}
		if ahead := highWatermarks(in) - highWatermarks(out); ahead >= f.backlog {
			time.Sleep(5 * time.Millisecond) // the app is busy with what is there
			continue
		}
		for range feedChunk {
			f.cl.Produce(ctx, &kgo.Record{Value: value}, nil)
		}
	}
	return ctx.Err()
}

// trim deletes from the input topic what lies more than the backlog
// behind its end, which the app has read (it is at most the backlog
// behind, give or take what is in flight), and all of the output topic.
func (f *feeder) trim(ctx context.Context, in, out []*kfake.PartitionInfo) error {
	req := kmsg.NewPtrDeleteRecordsRequest()
	req.TimeoutMillis = 10000
	add := func(topic string, infos []*kfake.PartitionInfo, keep int64) {
		t := kmsg.NewDeleteRecordsRequestTopic()
		t.Topic = topic
		for _, pi := range infos {
			if to := pi.HighWatermark - keep; to > pi.LogStartOffset {
				p := kmsg.NewDeleteRecordsRequestTopicPartition()
				p.Partition, p.Offset = pi.Partition, to
				t.Partitions = append(t.Partitions, p)
			}
		}
		if len(t.Partitions) > 0 {
			req.Topics = append(req.Topics, t)
		}
	}
	add(inTopic, in, 2*f.backlog)
	add(outTopic, out, 0)
	if len(req.Topics) == 0 {
		return nil
	}
	resp, err := req.RequestWith(ctx, f.cl)
	if err != nil {
		return fmt.Errorf("deleting records: %w", err)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return fmt.Errorf("deleting records of %s/%d: %w", t.Topic, p.Partition, err)
			}
		}
	}
	return nil
}

// highWatermarks returns the sum of the partitions' ends: the messages
// ever written to a topic.
func highWatermarks(infos []*kfake.PartitionInfo) int64 {
	var n int64
	for _, pi := range infos {
		n += pi.HighWatermark
	}
	return n
}

// A broker is the child process that serves the broker.
type broker struct {
	proc *selfproc.Process
	addr string
}

// startBroker starts the soak's executable again as the broker, feeding
// the input topic backlog messages ahead of the app.
func startBroker(backlog int64) (*broker, error) {
	proc, addr, err := selfproc.Start("broker", fmt.Sprintf("%s=%d", envServe, backlog))
	if err != nil {
		return nil, fmt.Errorf("soak: %w", err)
	}
	return &broker{proc: proc, addr: addr}, nil
}

// close stops the broker process and waits for it.
func (b *broker) close() { b.proc.Stop() }
