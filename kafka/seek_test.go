package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// A reader runs an app that reads a topic into a channel.
type reader[K, V any] struct {
	msgs chan kafka.Message[K, V]
	errc chan error
	stop context.CancelFunc
}

func startReader[K, V any](ctx context.Context, src stream.Source[kafka.Message[K, V]]) *reader[K, V] {
	ctx, stop := context.WithCancel(ctx)
	r := &reader[K, V]{msgs: make(chan kafka.Message[K, V], 1000), errc: make(chan error, 1), stop: stop}
	app := stream.NewApp()
	stream.Handle(app, src, stream.Do(func(m kafka.Message[K, V]) { r.msgs <- m }))
	go func() { r.errc <- app.Run(ctx) }()
	return r
}

// next returns the next message read, failing the test after 20 seconds.
func (r *reader[K, V]) next(t testing.TB) kafka.Message[K, V] {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	case err := <-r.errc:
		t.Fatalf("reading ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("no message within 20s")
	}
	panic("unreachable")
}

// end stops the app and returns its error.
func (r *reader[K, V]) end() error {
	r.stop()
	return <-r.errc
}

// firstByPartition reads until it has a message from each of n partitions,
// and returns the first of each.
func firstByPartition(t testing.TB, r *reader[string, string], n int) map[int32]kafka.Message[string, string] {
	t.Helper()
	first := map[int32]kafka.Message[string, string]{}
	for len(first) < n {
		m := r.next(t)
		if _, ok := first[m.Partition]; !ok {
			first[m.Partition] = m
		}
	}
	return first
}

func TestStartOffsets(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("one", 1), kafkatest.WithTopic("two", 2))
	ctx := testkit.Context(t, 90*time.Second)
	producer := newTopic[string, string](t, "one", testkit.KafkaConf(b.Addr()))
	produceN(t, ctx, producer, 10, func(int) string { return "k" })
	producer2 := newTopic[string, string](t, "two", testkit.KafkaConf(b.Addr()))
	produceN(t, ctx, producer2, 60, func(i int) string { return fmt.Sprint("key-", i) })

	// Starting offsets override auto.offset.reset=latest and have no committed offsets to resume from.
	latest := func() kafka.ConfigMap { return testkit.KafkaConf(b.Addr(), "auto.offset.reset", "latest") }

	t.Run("Beginning", func(t *testing.T) {
		r := startReader(ctx, newTopic[string, string](t, "one", latest(), kafka.WithOffset(kafka.Beginning)))
		if m := r.next(t); m.Offset != 0 {
			t.Errorf("first offset %d, want 0", m.Offset)
		}
		if err := r.end(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("At", func(t *testing.T) {
		r := startReader(ctx, newTopic[string, string](t, "one", latest(), kafka.WithOffset(kafka.At(7))))
		if m := r.next(t); m.Offset != 7 || m.Value != "7" {
			t.Errorf("first message %d %s, want offset 7", m.Offset, m.Value)
		}
		if err := r.end(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("PerPartition", func(t *testing.T) {
		r := startReader(ctx, newTopic[string, string](t, "two", latest(), kafka.WithOffset(kafka.PerPartition(map[int32]int64{0: 3, 1: 5}))))
		first := firstByPartition(t, r, 2)
		if first[0].Offset != 3 || first[1].Offset != 5 {
			t.Errorf("first offsets %d and %d, want 3 and 5", first[0].Offset, first[1].Offset)
		}
		if err := r.end(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("End", func(t *testing.T) {
		r := startReader(ctx, newTopic[string, string](t, "one", testkit.KafkaConf(b.Addr()), kafka.WithOffset(kafka.End)))
		m := sendUntilRead(t, ctx, producer, r)
		if !strings.HasPrefix(m.Value, "new-") {
			t.Errorf("read %q first, want a message sent after the start", m.Value)
		}
		if err := r.end(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("NoSuchPartition", func(t *testing.T) {
		r := startReader(ctx, newTopic[string, string](t, "one", latest(), kafka.WithOffset(kafka.PerPartition(map[int32]int64{0: 1, 5: 0}))))
		select {
		case err := <-r.errc:
			if err == nil || !containsAll(err.Error(), "topic one", "no partition 5") {
				t.Errorf("error %v, want one naming topic one and partition 5", err)
			}
		case <-ctx.Done():
			t.Fatal("no error for partition 5 of a topic of one partition")
		}
		r.stop()
	})
	t.Run("Committed", func(t *testing.T) {
		// Without WithOffset a group resumes from its commits, even after a start offset.
		conf := latest()
		r := startReader(ctx, newTopic[string, string](t, "one", conf, kafka.WithOffset(kafka.At(4))))
		last := r.next(t)
		if last.Offset != 4 {
			t.Fatalf("first offset %d, want 4", last.Offset)
		}
		if err := r.end(); err != nil {
			t.Fatal(err)
		}
		for len(r.msgs) > 0 { // handled, so committed
			last = <-r.msgs
		}
		r = startReader(ctx, newTopic[string, string](t, "one", conf))
		m := sendUntilRead(t, ctx, producer, r)
		if m.Offset != last.Offset+1 {
			t.Errorf("resumed at offset %d (%s), want %d", m.Offset, m.Value, last.Offset+1)
		}
		if err := r.end(); err != nil {
			t.Fatal(err)
		}
	})
}

// sendUntilRead sends "new-N" messages until r reads one, and returns the
// first message r reads. Messages sent before a consumer has found the end
// of its partition may be missed, so one is not enough.
func sendUntilRead(t testing.TB, ctx context.Context, p *kafka.Topic[string, string], r *reader[string, string]) kafka.Message[string, string] {
	t.Helper()
	for i := 0; ; i++ {
		if err := p.Produce(ctx, "k", fmt.Sprint("new-", i)); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-r.msgs:
			return m
		case err := <-r.errc:
			t.Fatalf("reading ended: %v", err)
		case <-time.After(300 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("nothing read")
		}
	}
}

func TestSeek(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("one", 1), kafkatest.WithTopic("two", 2))
	ctx := testkit.Context(t, 90*time.Second)
	producer := newTopic[string, string](t, "one", testkit.KafkaConf(b.Addr()))
	produceN(t, ctx, producer, 10, func(int) string { return "k" })

	topic := newTopic[string, string](t, "one", testkit.KafkaConf(b.Addr()))

	// Seek waits, bounded, for partitions to be assigned.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err := topic.Seek(short, kafka.Beginning)
	cancel()
	if err == nil || !containsAll(err.Error(), "topic one", "waiting for partitions to be assigned") {
		t.Errorf("Seek with no consumer: %v", err)
	}

	r := startReader(ctx, topic)
	readAll := func(from int64) {
		t.Helper()
		for want := from; want < 10; want++ {
			if m := r.next(t); m.Offset != want {
				t.Fatalf("read offset %d, want %d", m.Offset, want)
			}
		}
	}
	readAll(0)
	// Nothing is in flight now: the next message read comes from where Seek moves to.
	if err := topic.Seek(ctx, kafka.At(2)); err != nil {
		t.Fatal(err)
	}
	readAll(2)
	if err := topic.Seek(ctx, kafka.Beginning); err != nil {
		t.Fatal(err)
	}
	readAll(0)
	if err := topic.Seek(ctx, kafka.PerPartition(map[int32]int64{0: 8})); err != nil {
		t.Fatal(err)
	}
	readAll(8)
	if err := topic.Seek(ctx, kafka.At(10)); err != nil { // the end itself is valid
		t.Fatal(err)
	}

	for _, tc := range []struct {
		off  kafka.Offset
		want string
	}{
		{kafka.At(11), "invalid offset 11 for partition 0: it holds offsets 0 to 10"},
		{kafka.PerPartition(map[int32]int64{3: 0}), "no partition 3"},
		{kafka.Committed, "invalid offset"},
		{kafka.At(-3), "invalid offset -3"},
	} {
		if err := topic.Seek(ctx, tc.off); err == nil || !containsAll(err.Error(), "topic one", tc.want) {
			t.Errorf("Seek(%v): %v, want an error containing %q", tc.off, err, tc.want)
		}
	}

	if err := topic.Seek(ctx, kafka.End); err != nil {
		t.Fatal(err)
	}
	if m := sendUntilRead(t, ctx, producer, r); !strings.HasPrefix(m.Value, "new-") {
		t.Errorf("after Seek(End), read %q first, want a new message", m.Value)
	}
	if err := r.end(); err != nil {
		t.Fatal(err)
	}

	// PerPartition moves only the partitions it names.
	producer2 := newTopic[string, string](t, "two", testkit.KafkaConf(b.Addr()))
	produceN(t, ctx, producer2, 60, func(i int) string { return fmt.Sprint("key-", i) })
	topic2 := newTopic[string, string](t, "two", testkit.KafkaConf(b.Addr()))
	r = startReader(ctx, topic2)
	high := map[int32]int64{}
	for range 60 {
		m := r.next(t)
		high[m.Partition] = m.Offset + 1
	}
	if err := topic2.Seek(ctx, kafka.PerPartition(map[int32]int64{1: 4})); err != nil {
		t.Fatal(err)
	}
	for want := int64(4); want < high[1]; want++ {
		if m := r.next(t); m.Partition != 1 || m.Offset != want {
			t.Fatalf("read %d/%d, want 1/%d", m.Partition, m.Offset, want)
		}
	}
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
}
