package kafka_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// The environment of an exactly-once child: where it kills itself.
const (
	childKillAt    = "SLIPSTREAM_KAFKA_TEST_KILL_AT"    // produce, commit, restore or revoke
	childKillAfter = "SLIPSTREAM_KAFKA_TEST_KILL_AFTER" // at the how-many-th time there
	childDir       = "SLIPSTREAM_KAFKA_TEST_DIR"        // its table's shards
)

// runExactlyOnceChild runs in → out, and a count per key in a table, in
// exactly-once mode, until SIGTERM; it kills itself with SIGKILL where
// childKillAt says: after handling a message (its outputs sent, not
// committed), once a transaction has committed, as a partition's table
// shard is restored (others may still be restoring), or as a revoke is
// about to commit.
func runExactlyOnceChild() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	delay, _ := time.ParseDuration(os.Getenv(childDelay))
	conf := kafka.ConfigMap{
		"bootstrap.servers":      os.Getenv(childBootstrap),
		"broker.address.family":  "v4",
		"group.id":               os.Getenv(childGroup),
		"group.instance.id":      os.Getenv(childInstance),
		"auto.offset.reset":      "earliest",
		"session.timeout.ms":     6000,
		"heartbeat.interval.ms":  500,
		"transaction.timeout.ms": 5000,
	}
	eo, err := kafka.NewExactlyOnce(conf, &kafka.ExactlyOnceOptions{CommitInterval: 50 * time.Millisecond})
	if err != nil {
		return fail(err)
	}
	defer eo.Close(context.Background())
	in, err := kafka.NewTopic[string, string]("in", conf, kafka.WithExactlyOnce(eo))
	if err != nil {
		return fail(err)
	}
	out, err := kafka.NewTopicLike[string, string]("out", in)
	if err != nil {
		return fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	counts, err := state.New(ctx, "counts", in, codec.StringKey(), codec.Int[int](), &state.Options{Dir: os.Getenv(childDir)})
	if err != nil {
		return fail(err)
	}

	killAt := os.Getenv(childKillAt)
	after, _ := strconv.ParseInt(os.Getenv(childKillAfter), 10, 64)
	var times atomic.Int64
	die := func(at string) {
		if at == killAt && times.Add(1) == after {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
	kafka.SetTransactionHooks(func() { die("commit") }, func() { die("revoke") })
	in.Listen(dieOnAssign(func() { die("restore") })) // after the table's: its shard is restored

	app := stream.NewApp()
	both := stream.Tee(in, 2)
	stream.Handle(app, both[0], stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		return kafka.NewMessage(m.Key, "out-"+m.Value)
	}), out)
	stream.Handle(app, both[1], stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
		time.Sleep(delay) // "processing"
		die("produce")
		n, err := counts.Get(m.Partition, m.Key)
		if err != nil {
			return state.Change[string, int]{}, err
		}
		return state.Put(m.Partition, m.Key, n.OrEmpty()+1), nil
	}), counts)
	fmt.Println("started")
	if err := app.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// dieOnAssign is a kafka.PartitionListener that calls die with each
// partition assigned.
type dieOnAssign func()

func (d dieOnAssign) Assigned(_ context.Context, ps []int32) error {
	for range ps {
		d()
	}
	return nil
}

func (dieOnAssign) Revoked([]int32) {}

// TestExactlyOnceKilled kills an exactly-once app at each of its
// dangerous moments and restarts it (or, for a revoke, lets a second
// instance take over): every output is seen once by a read_committed
// reader, and every count is exact.
func TestExactlyOnceKilled(t *testing.T) {
	for _, tc := range []struct {
		at    string
		after int
	}{
		{"produce", 300}, // outputs and changes sent, not committed
		{"commit", 1},    // right after a commit, before anything else
		{"restore", 2},   // one partition's shard restored, others restoring
		{"revoke", 1},    // as a rebalance is about to commit
	} {
		t.Run(tc.at, func(t *testing.T) { killedAt(t, tc.at, tc.after) })
	}
}

func killedAt(t *testing.T, at string, after int) {
	const n, keys = 1000, 10
	ctx := testkit.Context(t, 2*time.Minute)
	b := newBroker(t, kafkatest.WithTopic("in", 4), kafkatest.WithTopic("out", 4))
	conf := testkit.KafkaConf(b.Addr())
	produceN(t, ctx, newTopic[string, string](t, "in", conf), n, func(i int) string { return fmt.Sprint("k", i%keys) })
	group, dir := testkit.UniqueName("eos"), t.TempDir()
	env := func(instance string, extra ...string) []string {
		return append([]string{childEnv + "=eos", childInstance + "=" + instance, childDir + "=" + dir + "/" + instance}, extra...)
	}
	kill := []string{childKillAt + "=" + at, childKillAfter + "=" + strconv.Itoa(after)}

	var last *testkit.Child
	if at == "revoke" {
		// The first instance works slowly; a second joins, and the first
		// dies as it is about to commit what it gives up.
		first := startChild(t, b.Addr(), group, 2*time.Millisecond, env("w1", kill...)...)
		first.Line(t, ctx)
		testkit.Eventually(t, time.Minute, "the first instance commits", func() bool { return committedSum(b, group) > 0 })
		last = startChild(t, b.Addr(), group, 0, env("w2")...)
		first.WaitKilled(t, ctx)
	} else {
		startChild(t, b.Addr(), group, 0, env("w1", kill...)...).WaitKilled(t, ctx)
		last = startChild(t, b.Addr(), group, 0, env("w1")...)
	}
	last.Line(t, ctx)
	testkit.Eventually(t, time.Minute, "every message committed", func() bool { return committedSum(b, group) == n })
	last.Stop(t, ctx)

	seen := map[string]int{}
	for _, vs := range readCommitted(t, ctx, b.Addr(), "out") {
		for _, v := range vs {
			seen[v]++
		}
	}
	for i := range n {
		if c := seen[fmt.Sprint("out-", i)]; c != 1 {
			t.Errorf("output of input %d seen %d times; want once", i, c)
		}
	}
	counts := lastValues(t, ctx, b.Addr(), group+"-counts-changelog")
	for i := range keys {
		if got := counts[fmt.Sprint("k", i)]; got != n/keys {
			t.Errorf("count of k%d = %d; want %d", i, got, n/keys)
		}
	}
}

// committedSum returns the sum of the group's committed offsets of "in".
func committedSum(b *kafkatest.Broker, group string) int64 {
	var sum int64
	for _, off := range committed(b, group, "in") {
		sum += off
	}
	return sum
}

// lastValues returns the last count a read_committed reader sees for each
// key of a table's changelog (a record's value is a tag byte and the
// encoded count).
func lastValues(t *testing.T, ctx context.Context, addr, changelog string) map[string]int {
	t.Helper()
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{
		"bootstrap.servers": addr, "broker.address.family": "v4", "group.id": testkit.UniqueName("reader"),
		"isolation.level": "read_committed", "enable.partition.eof": true, "auto.offset.reset": "earliest",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(changelog, nil); err != nil {
		t.Fatal(err)
	}
	values := map[string]int{}
	ints := codec.Int[int]()
	ended := map[int32]bool{}
	for len(ended) < 4 && ctx.Err() == nil {
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			v, err := ints.Decode(e.Value[1:])
			if err != nil {
				t.Fatal(err)
			}
			values[string(e.Key)] = v
		case ckafka.PartitionEOF:
			ended[e.Partition] = true
		}
	}
	return values
}
