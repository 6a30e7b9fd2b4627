package kafka_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/stream"
)

// TestCreatePartitionsAndReadPartition creates a topic, sends messages to
// chosen partitions, and reads one partition back from an offset.
func TestCreatePartitionsAndReadPartition(t *testing.T) {
	b := newBroker(t)
	ctx := testkit.Context(t, 30*time.Second)
	log := newTopic[string, string](t, testkit.UniqueName("log"), testkit.KafkaConf(b.Addr()), kafka.WithMessagePartition())
	if n, err := log.Partitions(ctx); err != nil || n != 0 {
		t.Fatalf("Partitions of a missing topic = %d, %v; want 0, nil", n, err)
	}
	if err := log.Create(ctx, 3, map[string]string{"cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	if err := log.Create(ctx, 5, nil); err != nil {
		t.Fatalf("Create of an existing topic: %v", err)
	}
	if n, err := log.Partitions(ctx); err != nil || n != 3 {
		t.Fatalf("Partitions = %d, %v; want 3", n, err)
	}
	for i := range 9 {
		m := kafka.Message[string, string]{Key: fmt.Sprint("k", i), Value: fmt.Sprint(i), Partition: int32(i % 3)}
		if err := log.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	next, err := log.ReadPartition(ctx, 1, 1, func(m kafka.Message[string, string]) error {
		got = append(got, fmt.Sprint(m.Offset, ":", m.Value))
		return nil
	})
	if err != nil || next != 3 || !slices.Equal(got, []string{"1:4", "2:7"}) {
		t.Fatalf("ReadPartition(1, from 1) = %v, next %d, %v; want [1:4 2:7], next 3", got, next, err)
	}
	next, err = log.ReadPartition(ctx, 2, 3, func(kafka.Message[string, string]) error {
		t.Error("read past the end")
		return nil
	})
	if err != nil || next != 3 {
		t.Fatalf("ReadPartition at the end = %d, %v; want 3, nil", next, err)
	}
}

// TestReadPartitionFetchesWithoutWaiting checks that a reader asks the
// broker not to hold its fetches, whatever the topic's configuration says:
// closing the reader waits for the fetch in flight, which the broker holds
// at the partition's end, 500 ms by default, for every partition a table
// restores.
func TestReadPartitionFetchesWithoutWaiting(t *testing.T) {
	b := newBroker(t)
	ctx := testkit.Context(t, 30*time.Second)
	log := newTopic[string, string](t, testkit.UniqueName("log"), testkit.KafkaConf(b.Addr(), "fetch.wait.max.ms", 500), kafka.WithMessagePartition())
	if err := log.Create(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	if err := log.Send(ctx, kafka.NewMessage("k", "v")); err != nil {
		t.Fatal(err)
	}
	var longest atomic.Int32
	b.Cluster().ControlKey(int16(kmsg.Fetch), func(req kmsg.Request) (kmsg.Response, error, bool) {
		b.Cluster().KeepControl()
		if w := req.(*kmsg.FetchRequest).MaxWaitMillis; w > longest.Load() {
			longest.Store(w)
		}
		return nil, nil, false
	})
	next, err := log.ReadPartition(ctx, 0, 0, func(kafka.Message[string, string]) error { return nil })
	if err != nil || next != 1 {
		t.Fatalf("ReadPartition = %d, %v; want 1, nil", next, err)
	}
	if w := longest.Load(); w == 0 || w > 10 {
		t.Fatalf("the reader's fetches wait up to %d ms at the broker; want at most 10", w)
	}
}

// A recordingListener records what it is told, and how many messages of
// each partition it names had been handled by then.
type recordingListener struct {
	mu      sync.Mutex
	events  []string
	handled map[int32]int
}

func (l *recordingListener) Assigned(_ context.Context, ps []int32) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range ps {
		l.events = append(l.events, fmt.Sprintf("assigned %d after %d of its messages", p, l.handled[p]))
	}
	return nil
}

func (l *recordingListener) Revoked(ps []int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slices.Sort(ps)
	l.events = append(l.events, fmt.Sprintf("revoked %v", ps))
}

// TestListenerIsToldBeforeMessages: a listener hears of each partition a
// consumer is given before any of its messages is handled, and of their
// revocation when the consumer leaves.
func TestListenerIsToldBeforeMessages(t *testing.T) {
	b := newBroker(t)
	ctx := testkit.Context(t, 30*time.Second)
	name := testkit.UniqueName("in")
	in := newTopic[string, string](t, name, testkit.KafkaConf(b.Addr()))
	if err := in.Create(ctx, 2, nil); err != nil {
		t.Fatal(err)
	}
	produceN(t, ctx, in, 10, func(i int) string { return fmt.Sprint(i) })

	l := &recordingListener{handled: map[int32]int{}}
	in.Listen(l)
	runCtx, stop := context.WithCancel(ctx)
	app := stream.NewApp()
	total := 0
	stream.Handle(app, in, stream.Do(func(m kafka.Message[string, string]) {
		l.mu.Lock()
		l.handled[m.Partition]++
		total++
		done := total == 10
		l.mu.Unlock()
		if done {
			stop()
		}
	}))
	if err := app.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	assigned := l.events[:min(2, len(l.events))]
	slices.Sort(assigned)
	if !slices.Equal(assigned, []string{"assigned 0 after 0 of its messages", "assigned 1 after 0 of its messages"}) {
		t.Fatalf("events %v: want each partition's assignment before any of its messages", l.events)
	}
	if last := l.events[len(l.events)-1]; last != "revoked [0 1]" {
		t.Errorf("events %v: want the revocation last, when the consumer leaves", l.events)
	}
}

// A holdingListener holds the assignment of one partition until released.
type holdingListener struct {
	held     int32
	release  chan struct{}
	assigned chan []int32
}

func (l *holdingListener) Assigned(ctx context.Context, ps []int32) error {
	l.assigned <- ps
	if slices.Contains(ps, l.held) {
		select {
		case <-l.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (l *holdingListener) Revoked([]int32) {}

// TestSlowListenerHoldsOnlyItsPartitions: while a listener takes its time
// over partition 0 (a table restoring it), partition 1's messages are
// handled, and partition 0's only once the listener returns.
func TestSlowListenerHoldsOnlyItsPartitions(t *testing.T) {
	b := newBroker(t)
	ctx := testkit.Context(t, 30*time.Second)
	name := testkit.UniqueName("in")
	in := newTopic[string, string](t, name, testkit.KafkaConf(b.Addr(), "partition.assignment.strategy", "cooperative-sticky"), kafka.WithMessagePartition())
	if err := in.Create(ctx, 2, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := in.Send(ctx, kafka.Message[string, string]{Value: fmt.Sprint(i), Partition: int32(i % 2)}); err != nil {
			t.Fatal(err)
		}
	}
	l := &holdingListener{held: 0, release: make(chan struct{}), assigned: make(chan []int32, 4)}
	in.Listen(l)
	var mu sync.Mutex
	handled := map[int32]int{}
	count := func(p int32) int {
		mu.Lock()
		defer mu.Unlock()
		return handled[p]
	}
	runCtx, stop := context.WithCancel(ctx)
	app := stream.NewApp()
	stream.Handle(app, in, stream.Do(func(m kafka.Message[string, string]) {
		mu.Lock()
		handled[m.Partition]++
		mu.Unlock()
	}))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(runCtx) }()

	// One assignment of both, or two in turn: either way, partition 1
	// is read while 0 is held.
	testkit.Eventually(t, 20*time.Second, "partition 1 handled", func() bool { return count(1) == 5 })
	if n := count(0); n != 0 {
		t.Fatalf("%d messages of partition 0 handled while its listener held it", n)
	}
	close(l.release)
	testkit.Eventually(t, 20*time.Second, "partition 0 handled once released", func() bool { return count(0) == 5 })
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
