package state_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A counter is an app that counts the messages of an input topic per key
// in a table.
type counter struct {
	table   *state.Table[string, int]
	handled atomic.Int64
	stop    context.CancelFunc
	done    chan error
}

// startCounter runs a counter of topic in on b, in group, its shards in dir.
func startCounter(t *testing.T, ctx context.Context, b *kafkatest.Broker, in, group, dir string) *counter {
	t.Helper()
	return startCounterConf(t, ctx, b, in, group, dir)
}

// startCounterConf is startCounter with more configuration, in key-value
// pairs.
func startCounterConf(t *testing.T, ctx context.Context, b *kafkatest.Broker, in, group, dir string, conf ...any) *counter {
	t.Helper()
	return startCounterCopies(t, ctx, b, in, group, dir, 1, 0, conf...)
}

// startCounterCopies is startCounterConf with its handler run as copies
// copies (stream.Handler.Parallel), taking delay to handle a message.
func startCounterCopies(t *testing.T, ctx context.Context, b *kafkatest.Broker, in, group, dir string, copies int, delay time.Duration, conf ...any) *counter {
	t.Helper()
	input, err := kafka.NewTopic[string, string](in, testkit.KafkaConf(b.Addr(), append([]any{"group.id", group}, conf...)...))
	if err != nil {
		t.Fatal(err)
	}
	table, err := state.New(ctx, "counts", input, codec.StringKey(), codec.Int[int](), &state.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{table: table, done: make(chan error, 1)}
	app := stream.NewApp()
	stream.Handle(app, input, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
		defer c.handled.Add(1)
		time.Sleep(delay) // "processing"
		n, err := table.Get(m.Partition, m.Key)
		if err != nil {
			return state.Change[string, int]{}, err
		}
		return state.Put(m.Partition, m.Key, n.OrEmpty()+1), nil
	}).Parallel(copies), table)
	runCtx, stop := context.WithCancel(ctx)
	c.stop = stop
	go func() { c.done <- app.Run(runCtx) }()
	return c
}

// contents returns every key and count of the partitions the counter
// holds.
func (c *counter) contents(t *testing.T) map[string]int {
	t.Helper()
	all := map[string]int{}
	for _, p := range c.table.Held() {
		it, err := c.table.Iter(p)
		if err != nil {
			t.Fatal(err)
		}
		maps.Insert(all, it.Items())
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return all
}

// finish stops the counter's app, which closes its table.
func (c *counter) finish(t *testing.T) {
	t.Helper()
	c.stop()
	if err := <-c.done; err != nil {
		t.Fatal(err)
	}
}

func produce(t *testing.T, ctx context.Context, b *kafkatest.Broker, in string, n, keys int) {
	t.Helper()
	topic, err := kafka.NewTopic[string, string](in, testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer topic.Close(ctx)
	for i := range n {
		if err := topic.Produce(ctx, fmt.Sprint("k", i%keys), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRestore counts into a table, then reads it back on a fresh disk
// (from the whole changelog) and on the same disk (from its tail, which
// is empty), and counts on.
func TestRestore(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 4))
	ctx := testkit.Context(t, 60*time.Second)
	group, disk, fresh := testkit.UniqueName("counter"), t.TempDir(), t.TempDir()
	produce(t, ctx, b, "in", 200, 20)
	want := map[string]int{}
	for i := range 20 {
		want[fmt.Sprint("k", i)] = 10
	}

	first := startCounter(t, ctx, b, "in", group, disk)
	testkit.Eventually(t, 30*time.Second, "200 messages counted", func() bool { return first.handled.Load() == 200 })
	if got := first.contents(t); !maps.Equal(got, want) {
		t.Fatalf("counted %v, want %v", got, want)
	}
	first.finish(t)

	restored := startCounter(t, ctx, b, "in", group, fresh)
	testkit.Eventually(t, 30*time.Second, "every partition held", func() bool { return len(restored.table.Held()) == 4 })
	if got := restored.contents(t); !maps.Equal(got, want) {
		t.Errorf("restored on a fresh disk %v, want %v", got, want)
	}
	if n := restored.table.Restored(); n != 200 {
		t.Errorf("a fresh disk read %d changelog records, want all 200", n)
	}
	restored.finish(t)

	again := startCounter(t, ctx, b, "in", group, disk)
	testkit.Eventually(t, 30*time.Second, "every partition held", func() bool { return len(again.table.Held()) == 4 })
	if n := again.table.Restored(); n != 0 {
		t.Errorf("the same disk read %d changelog records, want none: it had them all", n)
	}
	produce(t, ctx, b, "in", 40, 20)
	testkit.Eventually(t, 30*time.Second, "40 more counted", func() bool { return again.handled.Load() == 40 })
	for k := range want {
		want[k] = 12
	}
	if got := again.contents(t); !maps.Equal(got, want) {
		t.Errorf("counted on to %v, want %v", got, want)
	}
	again.finish(t)
}

// TestParallelCount counts into a table with the handler run as 4 copies
// on 8 partitions, each copy a consumer with 2 of them: the counts equal
// the input, and the changelog has every change.
func TestParallelCount(t *testing.T) {
	const parts, n, keys = 8, 800, 40
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", parts))
	ctx := testkit.Context(t, 60*time.Second)
	group := testkit.UniqueName("counter")
	c := startCounterCopies(t, ctx, b, "in", group, t.TempDir(), 4, 0)
	// Produce once the group has settled: no rebalance then moves a
	// partition while its messages are counted, and the counts are exact.
	info, err := b.Cluster().WaitGroupStable(ctx, group, 4)
	if err != nil {
		t.Fatalf("the group has not 4 stable members: %v; %+v", err, info)
	}
	for _, m := range info.Members {
		if m.NumAssigned() != 2 {
			t.Fatalf("member %s has %d partitions, want 2", m.MemberID, m.NumAssigned())
		}
	}
	testkit.Eventually(t, 30*time.Second, "every partition held", func() bool { return len(c.table.Held()) == parts })
	produce(t, ctx, b, "in", n, keys)
	testkit.Eventually(t, 30*time.Second, "every message counted", func() bool { return c.handled.Load() == n })
	want := map[string]int{}
	for i := range keys {
		want[fmt.Sprint("k", i)] = n / keys
	}
	if got := c.contents(t); !maps.Equal(got, want) {
		t.Fatalf("counted %v, want %v", got, want)
	}
	c.finish(t)

	// The changelog holds each key's last count: a fresh table restores them.
	fresh := startCounter(t, ctx, b, "in", group, t.TempDir())
	testkit.Eventually(t, 30*time.Second, "every partition held", func() bool { return len(fresh.table.Held()) == parts })
	if got := fresh.contents(t); !maps.Equal(got, want) {
		t.Errorf("restored %v, want %v", got, want)
	}
	fresh.finish(t)
}

// TestPartitionNotHeld: a read or write of a partition the instance does
// not hold fails, saying so.
func TestPartitionNotHeld(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 2))
	ctx := testkit.Context(t, 30*time.Second)
	input, err := kafka.NewTopic[string, string]("in", testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	table, err := state.New(ctx, "t", input, codec.StringKey(), codec.String(), &state.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close(ctx)
	if _, err := table.Get(1, "k"); !errors.Is(err, state.ErrNotHeld) || !strings.Contains(err.Error(), "partition 1") {
		t.Errorf("Get of a partition not held: %v, want ErrNotHeld naming partition 1", err)
	}
	if err := table.Send(ctx, state.Put[string](0, "k", "v")); !errors.Is(err, state.ErrNotHeld) {
		t.Errorf("Send to a partition not held: %v, want ErrNotHeld", err)
	}
}

// TestChangelogMustBeCopartitioned: a changelog with another partition
// count than the input's is refused at New.
func TestChangelogMustBeCopartitioned(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 4), kafkatest.WithTopic("odd-changelog", 3))
	ctx := testkit.Context(t, 30*time.Second)
	input, err := kafka.NewTopic[string, string]("in", testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = state.New(ctx, "t", input, codec.StringKey(), codec.String(), &state.Options{Dir: t.TempDir(), Changelog: "odd-changelog"})
	if err == nil || !strings.Contains(err.Error(), "co-partitioned") || !strings.Contains(err.Error(), "3 partitions") {
		t.Fatalf("New with a changelog of 3 partitions for an input of 4: %v", err)
	}
}

// TestStateFollowsPartitions runs one counter, then a second in its group,
// then the first alone again, counting throughout: partitions move between
// them twice, and their counts move with them, through the changelog.
// Under at-least-once a count may exceed the truth, never fall short.
func TestStateFollowsPartitions(t *testing.T) {
	for _, strategy := range []string{"range", "cooperative-sticky"} {
		t.Run(strategy, func(t *testing.T) {
			b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 4))
			ctx := testkit.Context(t, 90*time.Second)
			group := testkit.UniqueName("counter")
			start := func(dir string) *counter {
				return startCounterConf(t, ctx, b, "in", group, dir, "partition.assignment.strategy", strategy)
			}
			total := func(cs ...*counter) int64 {
				var n int64
				for _, c := range cs {
					n += c.handled.Load()
				}
				return n
			}

			one := start(t.TempDir())
			produce(t, ctx, b, "in", 100, 10)
			testkit.Eventually(t, 30*time.Second, "100 counted by one", func() bool { return one.handled.Load() >= 100 })

			two := start(t.TempDir())
			testkit.Eventually(t, 30*time.Second, "the partitions shared", func() bool {
				return len(one.table.Held()) > 0 && len(two.table.Held()) > 0 && len(one.table.Held())+len(two.table.Held()) == 4
			})
			produce(t, ctx, b, "in", 100, 10)
			testkit.Eventually(t, 30*time.Second, "200 counted by two", func() bool { return total(one, two) >= 200 })
			shared := map[string]int{}
			maps.Insert(shared, maps.All(one.contents(t)))
			maps.Insert(shared, maps.All(two.contents(t)))
			two.finish(t)

			testkit.Eventually(t, 30*time.Second, "every partition back with one", func() bool { return len(one.table.Held()) == 4 })
			produce(t, ctx, b, "in", 100, 10)
			testkit.Eventually(t, 30*time.Second, "300 counted", func() bool { return total(one, two) >= 300 })
			got := one.contents(t)
			one.finish(t)
			for i := range 10 {
				k := fmt.Sprint("k", i)
				if shared[k] < 20 {
					t.Errorf("with two instances, %s counted %d, want at least 20", k, shared[k])
				}
				if got[k] < 30 {
					t.Errorf("back to one instance, %s counted %d, want at least 30 (all: %v)", k, got[k], got)
				}
			}
		})
	}
}

// TestRevokeWaitsForTheHandler: an instance whose handler is slow (longer
// than the consumer's poll interval, so that its rebalances run beside the
// handler) gives partitions up to a second instance: the revoke waits for
// the message being handled to reach the table, instead of letting the
// table go under it, which failed the app with ErrNotHeld.
func TestRevokeWaitsForTheHandler(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 4))
	ctx := testkit.Context(t, 90*time.Second)
	group := testkit.UniqueName("counter")
	produce(t, ctx, b, "in", 60, 6)
	slow := startCounterCopies(t, ctx, b, "in", group, t.TempDir(), 1, 120*time.Millisecond)
	testkit.Eventually(t, 30*time.Second, "the slow instance counting", func() bool { return slow.handled.Load() > 0 })
	fast := startCounter(t, ctx, b, "in", group, t.TempDir())
	testkit.Eventually(t, 60*time.Second, "every message counted", func() bool {
		select {
		case err := <-slow.done:
			t.Fatalf("the slow instance failed: %v", err)
		default:
		}
		return slow.handled.Load()+fast.handled.Load() >= 60 && len(slow.table.Held())+len(fast.table.Held()) == 4
	})
	fast.finish(t)
	slow.finish(t)
}

// TestRestoresPartitionsAtOnce holds up every fetch of partition 0 of the
// changelog while a fresh table restores 4 partitions: the other three
// are restored, and served, meanwhile, and partition 0 once its fetches
// go through.
func TestRestoresPartitionsAtOnce(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 4))
	ctx := testkit.Context(t, 60*time.Second)
	input, err := kafka.NewTopic[string, string]("in", testkit.KafkaConf(b.Addr(), "group.id", testkit.UniqueName("g")))
	if err != nil {
		t.Fatal(err)
	}
	all := []int32{0, 1, 2, 3}
	open := func() *state.Table[string, string] {
		table, err := state.New(ctx, "t", input, codec.StringKey(), codec.String(), &state.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		return table
	}
	first := open()
	if err := first.Assigned(ctx, all); err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if err := first.Send(ctx, state.Put(p, fmt.Sprint("k", p), fmt.Sprint("v", p))); err != nil {
			t.Fatal(err)
		}
	}
	if err := first.Close(ctx); err != nil {
		t.Fatal(err)
	}

	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	b.Cluster().ControlKey(int16(kmsg.Fetch), func(req kmsg.Request) (kmsg.Response, error, bool) {
		b.Cluster().KeepControl()
		for _, topic := range req.(*kmsg.FetchRequest).Topics {
			for _, p := range topic.Partitions {
				if p.Partition == 0 {
					b.Cluster().SleepControl(func() { <-release })
				}
			}
		}
		return nil, nil, false
	})
	second := open()
	defer second.Close(ctx)
	done := make(chan error, 1)
	go func() { done <- second.Assigned(ctx, all) }()
	testkit.Eventually(t, 30*time.Second, "partitions 1 to 3 held while 0 is held up", func() bool {
		return slices.Equal(second.Held(), []int32{1, 2, 3})
	})
	unblock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if v, err := second.Get(p, fmt.Sprint("k", p)); err != nil || v.OrEmpty() != fmt.Sprint("v", p) {
			t.Errorf("partition %d: k%d = %v, %v; want v%d", p, p, v, err, p)
		}
	}
}
