package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

func TestFailedProduceIsRetried(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("out", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "out", testkit.KafkaConf(b.Addr()))
	if err := topic.Produce(ctx, "k", "warm-up"); err != nil { // metadata and connections
		t.Fatal(err)
	}
	f := b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "out", Err: kerr.NotLeaderForPartition, Count: 3})
	if err := topic.Produce(ctx, "k", "v"); err != nil {
		t.Fatalf("a produce failing 3 times with a retriable error: %v", err)
	}
	if f.Hits() != 3 {
		t.Errorf("the fault hit %d produce requests, want 3", f.Hits())
	}
	if hw := b.Cluster().PartitionInfo("out", 0).HighWatermark; hw != 2 {
		t.Errorf("out holds %d messages, want 2", hw)
	}
}

func TestProduceFailureIsReported(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("out", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "out", testkit.KafkaConf(b.Addr(), "message.timeout.ms", 1500))
	b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "out", Err: kerr.NotLeaderForPartition, Count: -1})
	start := time.Now()
	err := topic.Produce(ctx, "k", "v")
	if err == nil || !containsAll(err.Error(), "delivering to topic out", "timed out") {
		t.Fatalf("Produce = %v, want a delivery timeout naming the topic", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the error took %v", d)
	}

	// In an app, the failed delivery fails the app, naming the sink, and the input is not committed.
	b.CreateTopic(t, "in", 1)
	conf := testkit.KafkaConf(b.Addr())
	in := newTopic[string, string](t, "in", conf)
	produceN(t, ctx, in, 1, func(int) string { return "k" })
	app := stream.NewApp()
	stream.Handle(app, in, stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] { return m }),
		stream.Sink[kafka.Message[string, string]](topic))
	err = app.Run(ctx)
	if err == nil || !containsAll(err.Error(), "kafka topic out", "delivering to topic out") {
		t.Fatalf("Run = %v, want the delivery error", err)
	}
	if got := committed(b, conf["group.id"].(string), "in"); len(got) != 0 {
		t.Errorf("committed %v after the output was lost", got)
	}
}

func TestCoordinatorUnavailable(t *testing.T) {
	const n = 50
	b := newBroker(t, kafkatest.WithTopic("in", 2))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	group := conf["group.id"].(string)
	produceN(t, ctx, newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr())), n, func(i int) string { return fmt.Sprint(i) })

	// Finding the coordinator fails a few times, then commits do.
	find := b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.FindCoordinator}, Group: group, Err: kerr.CoordinatorNotAvailable, Count: 3})
	commit := b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.OffsetCommit}, Group: group, Err: kerr.CoordinatorNotAvailable, Count: 2})
	got := collect(t, ctx, newTopic[string, string](t, "in", conf), n)
	if len(got) < n {
		t.Fatalf("read %d messages", len(got))
	}
	if find.Hits() != 3 {
		t.Errorf("FindCoordinator failed %d times, want 3", find.Hits())
	}
	// collect's app has stopped and committed, through the failing commits.
	testkit.Eventually(t, 10*time.Second, "offsets not committed", func() bool {
		c := committed(b, group, "in")
		return c[0]+c[1] == n
	})
	if commit.Hits() == 0 {
		t.Log("no commit met the fault (librdkafka committed only once)")
	}
}

// TestBrokerStallsForAWhile stops the broker answering produce and fetch
// requests for longer than the clients' socket timeout, in the middle of an
// in → out pipeline: every input must have its output, and every input
// must be committed, once the broker answers again.
func TestBrokerStallsForAWhile(t *testing.T) {
	const n = 300
	b := newBroker(t, kafkatest.WithTopic("in", 2), kafkatest.WithTopic("out", 2))
	ctx := testkit.Context(t, 90*time.Second)
	conf := testkit.KafkaConf(b.Addr(), "socket.timeout.ms", 1200, "fetch.wait.max.ms", 100)
	group := conf["group.id"].(string)
	feeder := newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr(), "socket.timeout.ms", 1000))
	in := newTopic[string, string](t, "in", conf)
	out := newTopic[string, string](t, "out", conf)

	var stalled atomic.Bool
	wake := make(chan struct{})
	var once sync.Once
	wakeUp := func() { once.Do(func() { close(wake) }) }
	t.Cleanup(wakeUp)
	for _, key := range []kmsg.Key{kmsg.Produce, kmsg.Fetch} {
		b.Cluster().ControlKey(int16(key), func(kmsg.Request) (kmsg.Response, error, bool) {
			b.Cluster().KeepControl()
			if stalled.Load() {
				b.Cluster().SleepControl(func() { <-wake })
			}
			return nil, nil, false
		})
	}

	// Timed-out requests are retried: inputs and outputs may be doubled.
	var mu sync.Mutex
	delivered := map[string]bool{}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(delivered)
	}
	runCtx, stop := context.WithCancel(ctx)
	app := stream.NewApp()
	stream.Handle(app, in, stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		return kafka.NewMessage(m.Key, strings.ToUpper("out-"+m.Value))
	}), stream.Sink[kafka.Message[string, string]](out), stream.SinkFunc[kafka.Message[string, string]](func(_ context.Context, m kafka.Message[string, string]) error {
		mu.Lock()
		delivered[m.Value] = true
		mu.Unlock()
		return nil
	}))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(runCtx) }()

	produceN(t, ctx, feeder, n/2, func(i int) string { return fmt.Sprint(i) })
	testkit.Eventually(t, 20*time.Second, "the first half was not delivered", func() bool { return count() >= n/2 })
	stalled.Store(true)
	var sent sync.WaitGroup
	sent.Go(func() {
		for i := n / 2; i < n; i++ {
			if err := feeder.SendAsync(ctx, kafka.NewMessage(fmt.Sprint(i), fmt.Sprint(i)), func(err error) {
				if err != nil {
					t.Errorf("sending input %d: %v", i, err)
				}
			}); err != nil {
				t.Error(err)
			}
		}
	})
	stall := time.NewTimer(3 * time.Second) // three socket timeouts
	<-stall.C
	stalled.Store(false)
	wakeUp()
	sent.Wait()
	testkit.Eventually(t, 40*time.Second, "not every input was delivered after the stall", func() bool { return count() >= n })
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}

	outCount := b.Cluster().PartitionInfo("out", 0).HighWatermark + b.Cluster().PartitionInfo("out", 1).HighWatermark
	outs := collect(t, ctx, newTopic[string, string](t, "out", testkit.KafkaConf(b.Addr())), int(outCount))
	seen := map[string]bool{}
	for _, m := range outs {
		seen[m.Value] = true
	}
	for i := range n {
		if !seen[fmt.Sprint("OUT-", i)] {
			t.Errorf("input %d has no output in topic out", i)
		}
	}
	// Every input read was committed, duplicates included.
	c := committed(b, group, "in")
	for p := range int32(2) {
		if hw := b.Cluster().PartitionInfo("in", p).HighWatermark; c[p] != hw {
			t.Errorf("partition %d: committed %d of %d", p, c[p], hw)
		}
	}
}
