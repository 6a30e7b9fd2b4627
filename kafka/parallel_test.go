package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// The tests of stream.Handler.Parallel on a topic: each copy of the
// handler is a consumer of the topic's group.

// produceParts sends n messages to each of parts partitions of topic,
// the i-th of each partition with value i, and waits for them.
func produceParts(t testing.TB, ctx context.Context, topic *kafka.Topic[string, string], parts, from, n int) {
	t.Helper()
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for i := from; i < from+n; i++ {
		for p := range parts {
			m := kafka.Message[string, string]{Key: fmt.Sprint("k", p), Value: fmt.Sprint(i), Partition: int32(p)}
			wg.Add(1)
			if err := topic.SendAsync(ctx, m, func(err error) {
				if err != nil {
					failed.CompareAndSwap(nil, &err)
				}
				wg.Done()
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatal(*err)
	}
}

// A partitionLog records the values of the messages handled, by partition.
type partitionLog struct {
	mu     sync.Mutex
	values map[int32][]int
	n      int
	at     map[int]chan struct{} // closed once n reaches the key
}

func newPartitionLog() *partitionLog {
	return &partitionLog{values: map[int32][]int{}, at: map[int]chan struct{}{}}
}

func (l *partitionLog) add(m kafka.Message[string, string]) int {
	v, err := strconv.Atoi(m.Value)
	if err != nil {
		panic(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.values[m.Partition] = append(l.values[m.Partition], v)
	l.n++
	if c, ok := l.at[l.n]; ok {
		close(c)
		delete(l.at, l.n)
	}
	return l.n
}

// reached returns a channel closed once n messages have been handled.
func (l *partitionLog) reached(n int) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := make(chan struct{})
	if l.n >= n {
		close(c)
	} else {
		l.at[n] = c
	}
	return c
}

// await fails t unless n messages are handled before ctx ends or Run
// returns on errc.
func (l *partitionLog) await(t *testing.T, ctx context.Context, n int, errc <-chan error) {
	t.Helper()
	select {
	case <-l.reached(n):
	case err := <-errc:
		t.Fatalf("the app ended (%v) after %d of %d messages", err, l.count(), n)
	case <-ctx.Done():
		t.Fatalf("handled %d of %d messages", l.count(), n)
	}
}

func (l *partitionLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// check fails t unless each of parts partitions had values 0..n-1
// handled, once each, in order.
func (l *partitionLog) check(t *testing.T, parts, n int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	want := seq(n)
	for p := range int32(parts) {
		if got := l.values[p]; !slices.Equal(got, want) {
			t.Errorf("partition %d: handled %v, want 0..%d once each, in order", p, got, n-1)
		}
	}
}

// A meeting lets handler calls through once two of them are inside at
// once: copies that run one at a time never meet.
type meeting struct {
	inside atomic.Int32
	once   sync.Once
	met    chan struct{}
}

func newMeeting() *meeting { return &meeting{met: make(chan struct{})} }

func (m *meeting) enter(ctx context.Context) error {
	if m.inside.Add(1) >= 2 {
		m.once.Do(func() { close(m.met) })
	}
	defer m.inside.Add(-1)
	select {
	case <-m.met:
		return nil
	case <-ctx.Done():
		return errors.New("no second copy of the handler ran while this one waited")
	}
}

// startApp runs app until ctx ends; its Run's error arrives on the
// channel returned.
func startApp(ctx context.Context, app *stream.App) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()
	return errc
}

// TestParallelHandlesEachMessageOnceInOrder runs a handler as 4 copies on
// 8 partitions: each copy is a static member of the group (its own
// group.instance.id) with 2 partitions, the copies handle messages at
// once, and every message is handled once, in its partition's order.
func TestParallelHandlesEachMessageOnceInOrder(t *testing.T) {
	const parts, n = 8, 100
	b := newBroker(t, kafkatest.WithTopic("par", parts))
	ctx := testkit.Context(t, 60*time.Second)
	instance := testkit.UniqueName("app")
	conf := testkit.KafkaConf(b.Addr(), "group.instance.id", instance)
	group := conf["group.id"].(string)
	topic := newTopic[string, string](t, "par", conf)

	log, meet := newPartitionLog(), newMeeting()
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	app := stream.NewApp()
	stream.Handle(app, topic, stream.DoErr(func(_ context.Context, m kafka.Message[string, string]) error {
		if err := meet.enter(waitCtx); err != nil {
			return err
		}
		log.add(m)
		return nil
	}).Parallel(4))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := startApp(runCtx, app)

	// Produce once the group has settled, so that no rebalance moves a
	// partition while its messages are handled: then each is handled once.
	info, err := b.Cluster().WaitGroupStable(ctx, group, 4)
	if err != nil {
		t.Fatalf("the group has not 4 stable members: %v; %+v", err, info)
	}
	var ids []string
	for _, m := range info.Members {
		if m.NumAssigned() != 2 || m.InstanceID == nil {
			t.Fatalf("member %+v: want a static member with 2 partitions", m)
		}
		ids = append(ids, *m.InstanceID)
	}
	slices.Sort(ids)
	want := []string{instance + "-par", instance + "-par-2", instance + "-par-3", instance + "-par-4"}
	if !slices.Equal(ids, want) {
		t.Fatalf("the members' group.instance.ids are %v, want %v", ids, want)
	}
	producer := newTopic[string, string](t, "par", testkit.KafkaConf(b.Addr()), kafka.WithMessagePartition())
	produceParts(t, ctx, producer, parts, 0, n)

	log.await(t, ctx, parts*n, errc)
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	log.check(t, parts, n)
}

// TestParallelPausesEveryCopy pauses the stream of a handler that runs as
// 4 copies: no copy handles a message until the resume, though every
// partition has new ones, and none leaves the group; after it every
// message is handled once, in order.
func TestParallelPausesEveryCopy(t *testing.T) {
	const parts, n = 8, 20
	b := newBroker(t, kafkatest.WithTopic("par", parts))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	group := conf["group.id"].(string)
	topic := newTopic[string, string](t, "par", conf)
	producer := newTopic[string, string](t, "par", testkit.KafkaConf(b.Addr()), kafka.WithMessagePartition())

	log := newPartitionLog()
	s := stream.From(topic)
	app := stream.NewApp()
	stream.Handle(app, s, stream.Do(func(m kafka.Message[string, string]) { log.add(m) }).Parallel(4))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := startApp(runCtx, app)
	before, err := b.Cluster().WaitGroupStable(ctx, group, 4)
	if err != nil {
		t.Fatal(err)
	}
	produceParts(t, ctx, producer, parts, 0, n)
	log.await(t, ctx, parts*n, errc)

	s.Pause()
	produceParts(t, ctx, producer, parts, n, n)
	hold := time.NewTimer(2 * time.Second) // long enough for the copies to fetch what was sent
	defer hold.Stop()
	select {
	case <-hold.C:
	case err := <-errc:
		t.Fatalf("the app ended while paused: %v", err)
	}
	if got := log.count(); got != parts*n {
		t.Fatalf("handled %d messages while paused; want none after the first %d", got-parts*n, parts*n)
	}
	if after := b.Cluster().GroupInfo(group); after == nil || after.Epoch != before.Epoch || len(after.Members) != 4 {
		t.Fatalf("the group changed while paused: before %+v, after %+v", before, after)
	}

	s.Resume()
	log.await(t, ctx, 2*parts*n, errc)
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	log.check(t, parts, 2*n)
}

// TestParallelHandlerErrorAbortsTheApp: one copy's error ends every copy,
// and Run returns it; goleak (TestMain) checks that no goroutine of any
// copy outlives Run.
func TestParallelHandlerErrorAbortsTheApp(t *testing.T) {
	const parts, n = 8, 50
	b := newBroker(t, kafkatest.WithTopic("par", parts))
	ctx := testkit.Context(t, 60*time.Second)
	producer := newTopic[string, string](t, "par", testkit.KafkaConf(b.Addr()), kafka.WithMessagePartition())
	produceParts(t, ctx, producer, parts, 0, n)
	topic := newTopic[string, string](t, "par", testkit.KafkaConf(b.Addr()))

	boom := errors.New("boom")
	app := stream.NewApp()
	stream.Handle(app, topic, stream.DoErr(func(_ context.Context, m kafka.Message[string, string]) error {
		if m.Partition == 5 && m.Value == "20" {
			return boom
		}
		return nil
	}).Named("checker").Parallel(4))
	err := app.Run(ctx) // the topic is endless: only the error ends the app
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "handler checker: ") {
		t.Fatalf("Run = %v, want boom from handler checker", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run returned only once the test's context ended")
	}
}

// TestParallelDrainCommitsWhatWasHandled stops an app whose handler runs
// as 4 copies half-way through a backlog: the drain commits what every
// copy handled, so a second app in the group handles the rest, and
// nothing the first one handled.
func TestParallelDrainCommitsWhatWasHandled(t *testing.T) {
	const parts, n = 8, 250
	b := newBroker(t, kafkatest.WithTopic("par", parts))
	ctx := testkit.Context(t, 90*time.Second)
	producer := newTopic[string, string](t, "par", testkit.KafkaConf(b.Addr()), kafka.WithMessagePartition())
	produceParts(t, ctx, producer, parts, 0, n)
	conf := testkit.KafkaConf(b.Addr())

	first := newPartitionLog()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	app := stream.NewApp()
	stream.Handle(app, newTopic[string, string](t, "par", conf), stream.Do(func(m kafka.Message[string, string]) {
		if first.add(m) == parts*n/4 {
			stop() // drain: what was handled is committed
		}
	}).Parallel(4))
	if err := app.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	handled := first.count()
	if handled >= parts*n {
		t.Fatalf("the first app handled all %d messages before it stopped; the test needs a rest", handled)
	}

	second := newPartitionLog()
	runCtx, stop = context.WithCancel(ctx)
	defer stop()
	app = stream.NewApp()
	stream.Handle(app, newTopic[string, string](t, "par", conf), stream.Do(func(m kafka.Message[string, string]) { second.add(m) }).Parallel(2))
	errc := startApp(runCtx, app)
	second.await(t, ctx, parts*n-handled, errc)
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	for p := range int32(parts) {
		one, two := first.values[p], second.values[p]
		if all := append(slices.Clone(one), two...); !slices.Equal(all, seq(n)) {
			t.Errorf("partition %d: the first app handled %v, the second %v; want 0..%d between them, once each, in order", p, one, two, n-1)
		}
	}
}

// seq returns 0..n-1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
