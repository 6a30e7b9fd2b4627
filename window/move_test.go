package window_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// A tumbling count over a Kafka topic, in child processes: the first is
// SIGKILLed mid-window and restarted (its window state restored), a second
// instance joins on a disk of its own and takes a share of the partitions,
// then the first stops and the second takes them all (their open windows
// moving through the changelog). At least once, each window's final count
// may over-count, never under-count; exactly once, it is exact, and sent
// once.
func TestWindowSurvivesKillAndMove(t *testing.T) {
	for _, mode := range []string{"at-least-once", "exactly-once"} {
		t.Run(mode, func(t *testing.T) { killAndMove(t, mode == "exactly-once") })
	}
}

func killAndMove(t *testing.T, exactly bool) {
	const keys, perKey = 10, 100 // clicks in window [0s, 1s), per key
	ctx := testkit.Context(t, 3*time.Minute)
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("clicks", 4), kafkatest.WithTopic("results", 4))
	group, dir := testkit.UniqueName("windows"), t.TempDir()
	env := func(instance string, extra ...string) []string {
		eo := "0"
		if exactly {
			eo = "1"
		}
		return append([]string{childBootstrap + "=" + b.Addr(), childGroup + "=" + group, childInstance + "=" + instance,
			childDir + "=" + dir + "/" + instance, childExactly + "=" + eo}, extra...)
	}
	// The clicks of window [0s, 1s), sent in parts, each click 1 ms after
	// the one before, in order in each partition.
	part := func(from, to int) {
		var evs []ev
		for i := from; i < to; i++ {
			evs = append(evs, ev{fmt.Sprint("k", i%keys), "click", float64(i)})
		}
		sendAt(t, ctx, b, "clicks", evs...)
	}
	committed := func(n int64) {
		testkit.Eventually(t, time.Minute, fmt.Sprint(n, " clicks committed"), func() bool { return committedClicks(b, group) == n })
	}

	// The first instance counts 400 clicks, which commit, then dies
	// halfway through the next 400: its restart goes on with the open
	// window's count restored.
	part(0, 400)
	first := startChild(t, env("w1", childDieAfter+"=600")...)
	committed(400)
	part(400, 800)
	first.WaitKilled(t, ctx)
	first = startChild(t, env("w1")...)
	committed(800)

	// A second instance, on a disk of its own, takes a share of the
	// partitions, then all of them when the first stops: their windows
	// come to it through the changelog.
	second := startChild(t, env("w2")...)
	if held := waitHeld(t, ctx, second, ""); held == "0,1,2,3" {
		t.Fatalf("the second instance holds %s: the first gave it nothing", held)
	}
	part(800, 900)
	committed(900)
	first.Stop(t, ctx)
	waitHeld(t, ctx, second, "0,1,2,3")
	part(900, keys*perKey)
	closeWindows(t, ctx, b, 4, 5000) // stream time 5 s in every partition
	committed(keys*perKey + 4)
	second.Stop(t, ctx)

	finals := map[string][]string{}
	for _, r := range readCommitted(t, ctx, b.Addr(), "results", 4) {
		finals[r[0]] = append(finals[r[0]], r[1])
	}
	for k := range keys {
		key, want := fmt.Sprint("k", k), fmt.Sprint("0 ", perKey)
		got := finals[key]
		switch {
		case len(got) == 0:
			t.Errorf("%s: no final count of window [0s, 1s)", key)
		case exactly && (len(got) != 1 || got[0] != want):
			t.Errorf("%s: final counts %q, want one, %q", key, got, want)
		case !exactly:
			for _, c := range got {
				var start, n int
				if _, err := fmt.Sscanf(c, "%d %d", &start, &n); err != nil || start != 0 || n < perKey {
					t.Errorf("%s: final count %q, want window 0 and at least %d", key, c, perKey)
				}
			}
		}
	}
	t.Logf("final counts: %v", finals)
}

// closeWindows sends a click at ms milliseconds to each of n partitions
// of "clicks", moving their stream time there.
func closeWindows(t *testing.T, ctx context.Context, b *kafkatest.Broker, n int32, ms float64) {
	t.Helper()
	tp, err := kafka.NewTopic[string, string]("clicks", testkit.KafkaConf(b.Addr()), kafka.WithMessagePartition())
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close(ctx)
	for p := range n {
		m := kafka.NewMessage("closer", "click")
		m.Timestamp, m.Partition = epoch0.Add(time.Duration(ms)*time.Millisecond), p
		if err := tp.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

// committedClicks returns the sum of the group's committed offsets of
// "clicks".
func committedClicks(b *kafkatest.Broker, group string) int64 { return committedOf(b, group, "clicks") }

// committedOf returns the sum of the group's committed offsets of topics.
func committedOf(b *kafkatest.Broker, group string, topics ...string) int64 {
	var sum int64
	if info := b.Cluster().GroupInfo(group); info != nil {
		for _, topic := range topics {
			for _, c := range info.Commits[topic] {
				sum += c.Offset
			}
		}
	}
	return sum
}

// readCommitted returns the key and value of every message of the n
// partitions of topic that a read_committed reader sees.
func readCommitted(t *testing.T, ctx context.Context, addr, topic string, n int32) [][2]string {
	t.Helper()
	c, err := ckafka.NewConsumer(&ckafka.ConfigMap{
		"bootstrap.servers": addr, "broker.address.family": "v4", "group.id": testkit.UniqueName("reader"),
		"isolation.level": "read_committed", "enable.auto.commit": false, "enable.partition.eof": true,
		"auto.offset.reset": "earliest",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var parts []ckafka.TopicPartition
	for p := range n {
		parts = append(parts, ckafka.TopicPartition{Topic: &topic, Partition: p, Offset: ckafka.OffsetBeginning})
	}
	if err := c.Assign(parts); err != nil {
		t.Fatal(err)
	}
	var got [][2]string
	ended := map[int32]bool{}
	for len(ended) < len(parts) {
		if ctx.Err() != nil {
			t.Fatalf("reading %s: %v (partitions at their end: %v)", topic, ctx.Err(), ended)
		}
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			got = append(got, [2]string{string(e.Key), strings.TrimSpace(string(e.Value))})
		case ckafka.PartitionEOF:
			_, high, err := c.QueryWatermarkOffsets(topic, e.Partition, 5000)
			if err == nil && int64(e.Offset) >= high {
				ended[e.Partition] = true
			}
		}
	}
	return got
}
