package kafka_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// collect runs an app that reads topic until it has n messages, and
// returns them.
func collect[K, V any](t testing.TB, ctx context.Context, topic *kafka.Topic[K, V], n int) []kafka.Message[K, V] {
	t.Helper()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu   sync.Mutex
		msgs []kafka.Message[K, V]
	)
	app := stream.NewApp()
	stream.Handle(app, topic, stream.Do(func(m kafka.Message[K, V]) {
		mu.Lock()
		defer mu.Unlock()
		msgs = append(msgs, m)
		if len(msgs) == n {
			stop()
		}
	}))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(msgs) < n {
		t.Fatalf("read %d messages, want %d: %v", len(msgs), n, context.Cause(ctx))
	}
	return msgs
}

func TestRoundTrip(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("emoji", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "emoji", testkit.KafkaConf(b.Addr()))

	ts := time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)
	sent := []kafka.Message[string, string]{
		{Key: "trophy", Value: "🏆", Headers: []kafka.Header{{Key: "h1", Value: []byte("v1")}, {Key: "h2", Value: []byte{}}}, Timestamp: ts},
		kafka.NewMessage("fish", "🐟"),
		kafka.NewMessage("", "keyless"),
	}
	for _, m := range sent {
		if err := topic.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := topic.Produce(ctx, "phone", "📞", kafka.Header{Key: "via", Value: []byte("Produce")}); err != nil {
		t.Fatal(err)
	}

	got := collect(t, ctx, topic, 4)
	for i, m := range got {
		if m.Topic != "emoji" || m.Partition != 0 || m.Offset != int64(i) {
			t.Errorf("message %d at %s/%d/%d, want emoji/0/%d", i, m.Topic, m.Partition, m.Offset, i)
		}
	}
	m := got[0]
	if m.Key != "trophy" || m.Value != "🏆" || !m.Timestamp.Equal(ts) {
		t.Errorf("got %q %q at %v, want trophy 🏆 at %v", m.Key, m.Value, m.Timestamp, ts)
	}
	if len(m.Headers) != 2 || m.Headers[0].Key != "h1" || string(m.Headers[0].Value) != "v1" || m.Headers[1].Key != "h2" || len(m.Headers[1].Value) != 0 {
		t.Errorf("headers %v, want h1=v1 h2=''", m.Headers)
	}
	if got[1].Key != "fish" || got[1].Value != "🐟" || len(got[1].Headers) != 0 {
		t.Errorf("second message %+v", got[1])
	}
	if d := time.Since(got[1].Timestamp); d < 0 || d > time.Minute {
		t.Errorf("a message sent without a timestamp has timestamp %v", got[1].Timestamp)
	}
	if got[2].Key != "" || got[2].Value != "keyless" {
		t.Errorf("keyless message %+v", got[2])
	}
	if got[3].Key != "phone" || got[3].Value != "📞" || len(got[3].Headers) != 1 || string(got[3].Headers[0].Value) != "Produce" {
		t.Errorf("produced message %+v", got[3])
	}
}

type order struct {
	ID    int      `json:"id"`
	Items []string `json:"items"`
}

func TestCodecs(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("orders", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[int64, order](t, "orders", testkit.KafkaConf(b.Addr()),
		kafka.WithKeyCodec(codec.Int[int64]()), kafka.WithValueCodec(codec.JSON[order]()))
	want := []kafka.Message[int64, order]{
		kafka.NewMessage(int64(-7), order{ID: 1, Items: []string{"🏆"}}),
		kafka.NewMessage(int64(1<<40), order{ID: 2}),
	}
	for _, m := range want {
		if err := topic.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	got := collect(t, ctx, topic, 2)
	for i := range want {
		if got[i].Key != want[i].Key || got[i].Value.ID != want[i].Value.ID || !slices.Equal(got[i].Value.Items, want[i].Value.Items) {
			t.Errorf("message %d = %v %+v, want %v %+v", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
		}
	}

	// The raw bytes are what the codecs make: read them as bytes.
	raw := newTopic[[]byte, []byte](t, "orders", testkit.KafkaConf(b.Addr()))
	rgot := collect(t, ctx, raw, 2)
	if string(rgot[0].Value) != `{"id":1,"items":["🏆"]}` || len(rgot[0].Key) != 8 {
		t.Errorf("raw message %q %q", rgot[0].Key, rgot[0].Value)
	}

	// A value the codec cannot encode is an error naming the topic and codec, and nothing is sent.
	bad := newTopic[string, any](t, "orders", testkit.KafkaConf(b.Addr()), kafka.WithValueCodec(codec.JSON[any]()))
	err := bad.Produce(ctx, "k", func() {})
	if err == nil || !containsAll(err.Error(), "topic orders", "encoding value with codec json") {
		t.Errorf("encoding a func: %v", err)
	}
}

func TestPerPartitionOrder(t *testing.T) {
	const parts, keys, perKey = 3, 12, 40
	b := newBroker(t, kafkatest.WithTopic("seq", parts))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "seq", testkit.KafkaConf(b.Addr(), "linger.ms", 5))

	// Send asynchronously, as an app does, so that batches interleave.
	var wg sync.WaitGroup
	errs := make(chan error, keys*perKey)
	for i := range perKey {
		for k := range keys {
			wg.Add(1)
			m := kafka.NewMessage(fmt.Sprint("key-", k), fmt.Sprint(i))
			if err := topic.SendAsync(ctx, m, func(err error) {
				if err != nil {
					errs <- err
				}
				wg.Done()
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	got := collect(t, ctx, topic, keys*perKey)
	next := map[string]int{}
	lastOffset := map[int32]int64{}
	partitionOf := map[string]int32{}
	for _, m := range got {
		if want := fmt.Sprint(next[m.Key]); m.Value != want {
			t.Fatalf("key %s: got value %s, want %s: out of order", m.Key, m.Value, want)
		}
		next[m.Key]++
		if off, ok := lastOffset[m.Partition]; ok && m.Offset <= off {
			t.Fatalf("partition %d: offset %d after %d", m.Partition, m.Offset, off)
		}
		lastOffset[m.Partition] = m.Offset
		if p, ok := partitionOf[m.Key]; ok && p != m.Partition {
			t.Fatalf("key %s in partitions %d and %d", m.Key, p, m.Partition)
		}
		partitionOf[m.Key] = m.Partition
	}
	if len(lastOffset) != parts {
		t.Errorf("messages in %d partitions, want %d", len(lastOffset), parts)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestMessagesCommitsWhatTheLoopHandled(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("emoji", 1))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	topic := newTopic[string, string](t, "emoji", conf)
	for _, v := range []string{"🏆", "📞", "🐟", "👌"} {
		if err := topic.Produce(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
	}
	read := func(n int) []string {
		var got []string
		for msg, err := range topic.Messages(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, msg.Value)
			if len(got) == n {
				break
			}
		}
		return got
	}
	if got := read(2); strings.Join(got, " ") != "🏆 📞" {
		t.Fatalf("first loop read %v", got)
	}
	// The loop ended after handling two messages: both were committed.
	if got := committed(b, conf["group.id"].(string), "emoji"); got[0] != 2 {
		t.Errorf("committed %v after the loop, want emoji/0 at 2", got)
	}
	if got := read(2); strings.Join(got, " ") != "🐟 👌" {
		t.Fatalf("second loop read %v, want the rest", got)
	}

	// Cancelling the context ends the loop, without an error.
	if err := topic.Produce(ctx, "k", "🏁"); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for msg, err := range topic.Messages(cctx) {
		if err != nil {
			t.Fatalf("error after cancelling: %v", err)
		}
		if msg.Value != "🏁" {
			t.Errorf("read %q", msg.Value)
		}
		cancel()
	}
	if ctx.Err() != nil {
		t.Fatal("the loop ended with the test's context, not the cancelled one")
	}
}

func TestMessagesYieldsReadErrors(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("secret", 1), kafkatest.WithSASLPlain("alice", "right"))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "secret", saslConf(b.Addr(), "alice", "wrong"))
	var errs []error
	for _, err := range topic.Messages(ctx) {
		errs = append(errs, err)
	}
	if len(errs) != 1 || errs[0] == nil || !containsAll(errs[0].Error(), "topic secret", "authentication failed") {
		t.Fatalf("the loop yielded errors %v, want one authentication error", errs)
	}
}

// One Topic value serves two apps: the producing app stopping (and closing
// the topic) leaves the other app's consumer reading.
func TestOneTopicServesTwoApps(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("shared", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "shared", testkit.KafkaConf(b.Addr()))

	got := make(chan string, 10)
	consumer := stream.NewApp()
	stream.Handle(consumer, topic, stream.Func(func(m kafka.Message[string, string]) string { return m.Value }), sink.Chan(got))
	consuming, stop := context.WithCancel(ctx)
	defer stop()
	consumed := make(chan error, 1)
	go func() { consumed <- consumer.Run(consuming) }()

	send := func(values ...string) {
		t.Helper()
		producer := stream.NewApp()
		stream.Handle(producer, source.Slice(values), stream.Func(func(v string) kafka.Message[string, string] {
			return kafka.NewMessage(v, v)
		}), stream.Sink[kafka.Message[string, string]](topic))
		if err := producer.Run(ctx); err != nil { // closes the topic when done
			t.Fatal(err)
		}
	}
	receive := func(want string) {
		t.Helper()
		select {
		case v := <-got:
			if v != want {
				t.Fatalf("got %q, want %q", v, want)
			}
		case err := <-consumed:
			t.Fatalf("the consumer app stopped: %v", err)
		case <-ctx.Done():
			t.Fatalf("waiting for %q: %v", want, ctx.Err())
		}
	}
	send("a")
	receive("a")
	send("b") // a second producing app, after the first closed the topic
	receive("b")
	stop()
	if err := <-consumed; err != nil {
		t.Fatal(err)
	}
}

// TestSendAsyncUnderASteadyFlow sends without a pause, so that the producer
// always has messages in flight: delivery reports must still reach the
// senders (within an epoch, see deliveries.go), and every message that was
// reported delivered is in the topic.
func TestSendAsyncUnderASteadyFlow(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("steady", 3))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "steady", testkit.KafkaConf(b.Addr()))

	var (
		reported  atomic.Int64
		failed    atomic.Pointer[error]
		firstDone = make(chan struct{})
		once      sync.Once
	)
	done := func(err error) {
		if err != nil {
			failed.CompareAndSwap(nil, &err)
		}
		reported.Add(1)
		once.Do(func() { close(firstDone) })
	}
	sent := 0
	for reportedYet := false; !reportedYet; sent++ {
		if err := topic.SendAsync(ctx, kafka.NewMessage(fmt.Sprint(sent), "steady"), done); err != nil {
			t.Fatalf("message %d: %v", sent, err)
		}
		select {
		case <-firstDone:
			reportedYet = true
		case <-ctx.Done():
			t.Fatalf("no delivery reported after %d messages sent without a pause", sent)
		default:
		}
	}
	if err := topic.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := reported.Load(); n != int64(sent) {
		t.Errorf("%d deliveries reported for %d messages sent", n, sent)
	}
	if err := failed.Load(); err != nil {
		t.Errorf("a delivery failed: %v", *err)
	}
	var stored int64
	for _, p := range b.Cluster().PartitionInfos("steady") {
		stored += p.HighWatermark
	}
	if stored != int64(sent) {
		t.Errorf("the topic holds %d messages, want %d", stored, sent)
	}
}
