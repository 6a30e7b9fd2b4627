package kafka_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// newExactlyOnce makes an exactly-once group and closes it when the test
// ends (after the topics made later, which close first).
func newExactlyOnce(t *testing.T, conf kafka.ConfigMap, opts *kafka.ExactlyOnceOptions) *kafka.ExactlyOnce {
	t.Helper()
	eo, err := kafka.NewExactlyOnce(conf, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := eo.Close(ctx); err != nil {
			t.Errorf("closing %v: %v", eo, err)
		}
	})
	return eo
}

// readCommitted returns the values of every message of topic that a
// read_committed reader sees, by partition, in order.
func readCommitted(t *testing.T, ctx context.Context, addr, topic string) map[int32][]string {
	t.Helper()
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
		"group.id":              testkit.UniqueName("reader"),
		"isolation.level":       "read_committed",
		"enable.auto.commit":    false,
		"enable.partition.eof":  true,
		"auto.offset.reset":     "earliest",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	md, err := c.GetMetadata(&topic, false, 5000)
	if err != nil {
		t.Fatal(err)
	}
	var parts []ckafka.TopicPartition
	for _, p := range md.Topics[topic].Partitions {
		parts = append(parts, ckafka.TopicPartition{Topic: &topic, Partition: p.ID, Offset: ckafka.OffsetBeginning})
	}
	if err := c.Assign(parts); err != nil {
		t.Fatal(err)
	}
	got := map[int32][]string{}
	ended := map[int32]bool{}
	for len(ended) < len(parts) {
		if ctx.Err() != nil {
			t.Fatalf("reading %s: %v (partitions at their end: %v)", topic, ctx.Err(), ended)
		}
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			got[e.TopicPartition.Partition] = append(got[e.TopicPartition.Partition], string(e.Value))
		case ckafka.PartitionEOF:
			_, high, err := c.QueryWatermarkOffsets(topic, e.Partition, 5000)
			if err == nil && int64(e.Offset) >= high {
				ended[e.Partition] = true
			}
		}
	}
	return got
}

// eosPipeline runs in → handler → out in exactly-once, until cancel is
// called or the handler fails, and returns Run's error.
func eosPipeline(ctx context.Context, in, out *kafka.Topic[string, string], h func(kafka.Message[string, string]) (string, error)) error {
	app := stream.NewApp()
	stream.Handle(app, in, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (kafka.Message[string, string], error) {
		v, err := h(m)
		return kafka.NewMessage(m.Key, v), err
	}), stream.Sink[kafka.Message[string, string]](out))
	return app.Run(ctx)
}

// TestExactlyOnceTopicToTopic: every input has exactly one output that a
// read_committed reader sees, and the group's offsets commit with them.
func TestExactlyOnceTopicToTopic(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b := newBroker(t, kafkatest.WithTopic("in", 4), kafkatest.WithTopic("out", 4))
	conf := testkit.KafkaConf(b.Addr())
	eo := newExactlyOnce(t, conf, nil)
	in := newTopic[string, string](t, "in", conf, kafka.WithExactlyOnce(eo))
	out := newTopic[string, string](t, "out", conf, kafka.WithExactlyOnce(eo))
	const n = 2000
	produceN(t, ctx, newTopic[string, string](t, "in", conf), n, func(i int) string { return strconv.Itoa(i % 37) })

	runCtx, stop := context.WithCancel(ctx)
	var handled atomic.Int64
	err := eosPipeline(runCtx, in, out, func(m kafka.Message[string, string]) (string, error) {
		if handled.Add(1) == n {
			stop()
		}
		return "out-" + m.Value, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, vs := range readCommitted(t, ctx, b.Addr(), "out") {
		for _, v := range vs {
			seen[v]++
		}
	}
	for i := range n {
		if c := seen["out-"+strconv.Itoa(i)]; c != 1 {
			t.Fatalf("output of input %d seen %d times; want once", i, c)
		}
	}
	var sum int64
	for _, off := range committed(b, conf["group.id"].(string), "in") {
		sum += off
	}
	if sum != n {
		t.Errorf("committed offsets add up to %d; want %d", sum, n)
	}
	if eo.Commits() == 0 {
		t.Error("no transaction committed")
	}
}

// TestExactlyOnceAbortHidesOutputs: an app that fails aborts its open
// transaction: none of its outputs is visible, no offset is committed, and
// a second run produces every output once.
func TestExactlyOnceAbortHidesOutputs(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b := newBroker(t, kafkatest.WithTopic("in", 2), kafkatest.WithTopic("out", 2))
	conf := testkit.KafkaConf(b.Addr())
	const n = 200
	produceN(t, ctx, newTopic[string, string](t, "in", conf), n, strconv.Itoa)

	boom := errors.New("boom")
	run := func(failAt int64) error {
		eo := newExactlyOnce(t, conf, &kafka.ExactlyOnceOptions{CommitInterval: time.Hour})
		in := newTopic[string, string](t, "in", conf, kafka.WithExactlyOnce(eo))
		out := newTopic[string, string](t, "out", conf, kafka.WithExactlyOnce(eo))
		runCtx, stop := context.WithCancel(ctx)
		defer stop()
		var handled atomic.Int64
		err := eosPipeline(runCtx, in, out, func(m kafka.Message[string, string]) (string, error) {
			k := handled.Add(1)
			if k == failAt {
				return "", boom
			}
			if k == n {
				stop()
			}
			return m.Value, nil
		})
		if cerr := in.Close(ctx); cerr != nil {
			t.Error(cerr)
		}
		if cerr := eo.Close(ctx); cerr != nil {
			t.Error(cerr)
		}
		return err
	}
	if err := run(n / 2); !errors.Is(err, boom) {
		t.Fatalf("first run: %v; want %v", err, boom)
	}
	got := readCommitted(t, ctx, b.Addr(), "out")
	if len(got) != 0 {
		t.Fatalf("outputs of the aborted run are visible: %v", got)
	}
	if c := committed(b, conf["group.id"].(string), "in"); len(c) != 0 {
		t.Fatalf("the aborted run committed offsets %v", c)
	}
	if err := run(-1); err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, vs := range readCommitted(t, ctx, b.Addr(), "out") {
		count += len(vs)
	}
	if count != n {
		t.Fatalf("after the second run, %d outputs are visible; want %d", count, n)
	}
}

// TestExactlyOnceZombieFenced: a second instance with the same
// transactional id fences the first, whose app stops with an error that
// says so, having committed nothing more.
func TestExactlyOnceZombieFenced(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b := newBroker(t, kafkatest.WithTopic("in", 1), kafkatest.WithTopic("out", 1))
	conf := testkit.KafkaConf(b.Addr(), "group.instance.id", "twin")
	eo := newExactlyOnce(t, conf, nil)
	in := newTopic[string, string](t, "in", conf, kafka.WithExactlyOnce(eo))
	out := newTopic[string, string](t, "out", conf, kafka.WithExactlyOnce(eo))
	feeder := newTopic[string, string](t, "in", conf)
	produceN(t, ctx, feeder, 10, strconv.Itoa)

	handled := make(chan struct{}, 1000)
	errc := make(chan error, 1)
	go func() {
		errc <- eosPipeline(ctx, in, out, func(m kafka.Message[string, string]) (string, error) {
			handled <- struct{}{}
			return m.Value, nil
		})
	}()
	for range 10 {
		<-handled
	}
	// The zombie's successor: same group, same instance name.
	twin := newExactlyOnce(t, conf, nil)
	if twin.TransactionalID() != eo.TransactionalID() {
		t.Fatalf("transactional ids %q and %q differ", twin.TransactionalID(), eo.TransactionalID())
	}
	tout := newTopic[string, string](t, "out", conf, kafka.WithExactlyOnce(twin))
	if err := tout.Send(ctx, kafka.NewMessage("k", "from the twin")); err != nil {
		t.Fatal(err)
	}
	// The twin commits now: left open until the test ends, its transaction
	// could outlive transaction.timeout.ms on a slow machine.
	if err := twin.Close(ctx); err != nil {
		t.Fatal(err)
	}
	produceN(t, ctx, feeder, 10, strconv.Itoa) // the zombie sends again, and must commit
	err := <-errc
	if err == nil || !strings.Contains(err.Error(), "fenced") {
		t.Fatalf("the fenced app returned %v; want an error saying it was fenced", err)
	}
	t.Log(err)
}
