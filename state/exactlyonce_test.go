package state_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

var errBoom = errors.New("boom")

// countExactlyOnce counts topic in per key in a table, in exactly-once,
// until every message is handled (the group's committed offsets reach
// total) or the handler fails at message failAt; it returns Run's error
// and the table's contents and restore count as it ended.
func countExactlyOnce(t *testing.T, ctx context.Context, b *kafkatest.Broker, group, dir string, partitions int, total int64, failAt int64) (error, map[string]int, int64) {
	t.Helper()
	conf := testkit.KafkaConf(b.Addr(), "group.id", group)
	eo, err := kafka.NewExactlyOnce(conf, &kafka.ExactlyOnceOptions{CommitInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer eo.Close(ctx)
	input, err := kafka.NewTopic[string, string]("in", conf, kafka.WithExactlyOnce(eo))
	if err != nil {
		t.Fatal(err)
	}
	table, err := state.New(ctx, "counts", input, codec.StringKey(), codec.Int[int](), &state.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	app := stream.NewApp()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var handled int64
	var contents map[string]int
	stream.Handle(app, input, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
		if handled++; handled == failAt {
			contents = snapshot(t, table)
			return state.Change[string, int]{}, errBoom
		}
		n, err := table.Get(m.Partition, m.Key)
		if err != nil {
			return state.Change[string, int]{}, err
		}
		return state.Put(m.Partition, m.Key, n.OrEmpty()+1), nil
	}), table)
	done := make(chan error, 1)
	go func() { done <- app.Run(runCtx) }()
	if failAt < 0 {
		testkit.Eventually(t, 30*time.Second, "every message handled and committed", func() bool {
			if len(table.Held()) != partitions {
				return false
			}
			var sum int64
			for _, off := range committedOffsets(b, group, "in") {
				sum += off
			}
			return sum == total
		})
		contents = snapshot(t, table)
		stop()
	}
	err = <-done
	return err, contents, table.Restored()
}

// snapshot returns every key and count of the partitions table holds.
func snapshot(t *testing.T, table *state.Table[string, int]) map[string]int {
	t.Helper()
	c := &counter{table: table}
	return c.contents(t)
}

// committedOffsets returns the group's committed offsets of topic.
func committedOffsets(b *kafkatest.Broker, group, topic string) map[int32]int64 {
	offs := map[int32]int64{}
	if info := b.Cluster().GroupInfo(group); info != nil {
		for p, c := range info.Commits[topic] {
			offs[p] = c.Offset
		}
	}
	return offs
}

// TestExactlyOnceFailedRunLeavesNoTrace: an exactly-once counter fails
// half-way, its shards holding changes whose transaction aborted; the next
// run on the same disk wipes them, restores what the changelog committed,
// and ends with every count exact.
func TestExactlyOnceFailedRunLeavesNoTrace(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 4))
	ctx := testkit.Context(t, 90*time.Second)
	group, disk := testkit.UniqueName("counter"), t.TempDir()
	const n, keys = 400, 20
	produce(t, ctx, b, "in", n, keys)

	err, before, _ := countExactlyOnce(t, ctx, b, group, disk, 4, n, n/2)
	if !errors.Is(err, errBoom) {
		t.Fatalf("first run: %v; want %v", err, errBoom)
	}
	sum := 0
	for _, c := range before {
		sum += c
	}
	if sum == 0 {
		t.Fatal("the first run counted nothing before it failed: the test proves nothing")
	}
	var committed int64
	for _, off := range committedOffsets(b, group, "in") {
		committed += off
	}
	err, after, restored := countExactlyOnce(t, ctx, b, group, disk, 4, n, -1)
	if err != nil {
		t.Fatal(err)
	}
	if committed > 0 && restored == 0 {
		t.Errorf("the first run committed %d offsets, and the second restored nothing from the changelog: its shards were not wiped", committed)
	}
	for i := range keys {
		k := fmt.Sprint("k", i)
		if after[k] != n/keys {
			t.Errorf("count of %s = %d; want exactly %d (all: %v)", k, after[k], n/keys, after)
		}
	}
}

// TestExactlyOnceCleanRestartReadsTail: after a clean stop, the shards keep
// their record of how far they read, and a restart reads nothing more.
func TestExactlyOnceCleanRestartReadsTail(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 2))
	ctx := testkit.Context(t, 90*time.Second)
	group, disk := testkit.UniqueName("counter"), t.TempDir()
	produce(t, ctx, b, "in", 100, 10)
	if err, _, _ := countExactlyOnce(t, ctx, b, group, disk, 2, 100, -1); err != nil {
		t.Fatal(err)
	}
	err, counts, restored := countExactlyOnce(t, ctx, b, group, disk, 2, 100, -1)
	if err != nil {
		t.Fatal(err)
	}
	if restored != 0 {
		t.Errorf("a restart after a clean stop read %d changelog records; want 0", restored)
	}
	if counts["k3"] != 10 {
		t.Errorf("count of k3 = %d; want 10", counts["k3"])
	}
}
