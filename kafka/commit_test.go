package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// produceN sends n messages "0".."n-1", keyed by key(i), and waits for them.
func produceN(t testing.TB, ctx context.Context, topic *kafka.Topic[string, string], n int, key func(int) string) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range n {
		wg.Add(1)
		err := topic.SendAsync(ctx, kafka.NewMessage(key(i), fmt.Sprint(i)), func(err error) {
			defer wg.Done()
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

// committed returns the group's committed offsets of topic, by partition.
func committed(b *kafkatest.Broker, group, topic string) map[int32]int64 {
	offs := map[int32]int64{}
	if info := b.Cluster().GroupInfo(group); info != nil {
		for p, c := range info.Commits[topic] {
			offs[p] = c.Offset
		}
	}
	return offs
}

// A heldSink accepts outputs only when the test releases them.
type heldSink struct {
	mu   sync.Mutex
	done map[string]func(error)
	got  chan string
}

func newHeldSink() *heldSink {
	return &heldSink{done: map[string]func(error){}, got: make(chan string, 100)}
}

func (s *heldSink) Send(ctx context.Context, v string) error { panic("the app sends asynchronously") }

func (s *heldSink) SendAsync(ctx context.Context, v string, done func(error)) error {
	s.mu.Lock()
	s.done[v] = done
	s.mu.Unlock()
	s.got <- v
	return nil
}

func (s *heldSink) release(v string) {
	s.mu.Lock()
	done := s.done[v]
	delete(s.done, v)
	s.mu.Unlock()
	done(nil)
}

func TestCommitsOnlyWhatSinksAccepted(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("in", 1))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	group := conf["group.id"].(string)
	in := newTopic[string, string](t, "in", conf)
	produceN(t, ctx, in, 10, func(int) string { return "k" })

	sink := newHeldSink()
	runCtx, stop := context.WithCancel(ctx)
	// The app cannot drain: 5, 8 and 9 are never accepted.
	app := stream.NewApp(stream.WithDrainTimeout(time.Second))
	stream.Handle(app, in, stream.Func(func(m kafka.Message[string, string]) string { return m.Value }), stream.Sink[string](sink))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(runCtx) }()

	// Every message reaches the sink; release them out of order, with a gap at 5.
	for range 10 {
		select {
		case <-sink.got:
		case <-ctx.Done():
			t.Fatal("the sink did not get every message")
		}
	}
	for _, v := range []string{"1", "0", "3", "2", "4", "6", "7"} {
		sink.release(v)
	}
	stop()
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "did not drain") {
		t.Fatalf("Run returned %v, want a drain timeout", err)
	}
	if got := committed(b, group, "in"); got[0] != 5 {
		t.Fatalf("committed %v, want partition 0 at 5: 5 was never accepted", got)
	}

	// A restarted app resumes at the first message not accepted.
	again := newTopic[string, string](t, "in", conf)
	if m := collect(t, ctx, again, 1); m[0].Offset != 5 || m[0].Value != "5" {
		t.Fatalf("after a restart, read %+v first, want offset 5", m[0])
	}
}

func TestTopicToTopicCommitsOnStop(t *testing.T) {
	const n = 500
	b := newBroker(t, kafkatest.WithTopic("in", 3), kafkatest.WithTopic("out", 2))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	group := conf["group.id"].(string)
	in := newTopic[string, string](t, "in", conf)
	out := newTopic[string, string](t, "out", conf)
	produceN(t, ctx, in, n, func(i int) string { return fmt.Sprint(i % 7) })

	// in → upper-case → out; stop once every output has been delivered.
	runCtx, stop := context.WithCancel(ctx)
	var mu sync.Mutex
	delivered := 0
	counted := stream.SinkFunc[kafka.Message[string, string]](func(context.Context, kafka.Message[string, string]) error {
		mu.Lock()
		defer mu.Unlock()
		if delivered++; delivered == n {
			stop()
		}
		return nil
	})
	app := stream.NewApp()
	stream.Handle(app, in, stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		return kafka.NewMessage(m.Key, strings.ToUpper("v"+m.Value))
	}), stream.Sink[kafka.Message[string, string]](out), counted)
	if err := app.Run(runCtx); err != nil {
		t.Fatal(err)
	}

	// Everything read was committed when the app stopped.
	var sum int64
	for _, off := range committed(b, group, "in") {
		sum += off
	}
	if sum != n {
		t.Errorf("committed offsets sum to %d, want %d", sum, n)
	}
	outs := collect(t, ctx, newTopic[string, string](t, "out", testkit.KafkaConf(b.Addr())), n)
	seen := map[string]bool{}
	for _, m := range outs {
		seen[m.Value] = true
	}
	if len(seen) != n || !seen["V0"] || !seen[fmt.Sprint("V", n-1)] {
		t.Errorf("out has %d distinct values, want %d", len(seen), n)
	}
}

func TestGroupSplitsPartitions(t *testing.T) {
	const parts, n = 4, 400
	b := newBroker(t, kafkatest.WithTopic("shared", parts))
	ctx := testkit.Context(t, 90*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	group := conf["group.id"].(string)

	type reader struct {
		mu    sync.Mutex
		seen  map[string]int
		parts map[int32]bool
	}
	var total sync.WaitGroup
	total.Add(n)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	readers := make([]*reader, 2)
	errc := make(chan error, 2)
	for i := range readers {
		r := &reader{seen: map[string]int{}, parts: map[int32]bool{}}
		readers[i] = r
		topic := newTopic[string, string](t, "shared", conf)
		app := stream.NewApp()
		stream.Handle(app, topic, stream.Do(func(m kafka.Message[string, string]) {
			r.mu.Lock()
			r.seen[m.Value]++
			r.parts[m.Partition] = true
			r.mu.Unlock()
			total.Done()
		}))
		go func() { errc <- app.Run(runCtx) }()
	}
	if _, err := b.Cluster().WaitGroupStable(ctx, group, 2); err != nil {
		t.Fatal(err)
	}
	producer := newTopic[string, string](t, "shared", testkit.KafkaConf(b.Addr()))
	produceN(t, ctx, producer, n, func(i int) string { return fmt.Sprint("key-", i) })

	done := make(chan struct{})
	go func() { total.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the two consumers did not read every message")
	}
	stop()
	for range readers {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	all := map[string]int{}
	for i, r := range readers {
		if len(r.parts) == 0 {
			t.Errorf("consumer %d read no partition", i)
		}
		for v, c := range r.seen {
			all[v] += c
		}
		for p := range r.parts {
			if readers[1-i].parts[p] {
				t.Errorf("both consumers read partition %d", p)
			}
		}
	}
	for i := range n {
		if c := all[fmt.Sprint(i)]; c != 1 {
			t.Errorf("message %d read %d times, want once", i, c)
		}
	}
}

// TestCommitsWhileRunning checks that handled messages are committed
// every auto.commit.interval.ms while the app runs, by librdkafka or, with
// enable.auto.commit off, by the topic itself.
func TestCommitsWhileRunning(t *testing.T) {
	for _, auto := range []bool{true, false} {
		t.Run(fmt.Sprint("auto=", auto), func(t *testing.T) {
			const n = 30
			b := newBroker(t, kafkatest.WithTopic("in", 2))
			ctx := testkit.Context(t, 60*time.Second)
			conf := testkit.KafkaConf(b.Addr(), "enable.auto.commit", auto, "auto.commit.interval.ms", 200)
			group := conf["group.id"].(string)
			produceN(t, ctx, newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr())), n, func(i int) string { return fmt.Sprint(i) })

			runCtx, stop := context.WithCancel(ctx)
			app := stream.NewApp()
			stream.Handle(app, newTopic[string, string](t, "in", conf), stream.Do(func(kafka.Message[string, string]) {}))
			errc := make(chan error, 1)
			go func() { errc <- app.Run(runCtx) }()
			testkit.Eventually(t, 20*time.Second, "offsets not committed while running", func() bool {
				c := committed(b, group, "in")
				return c[0]+c[1] == n
			})
			stop()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}
