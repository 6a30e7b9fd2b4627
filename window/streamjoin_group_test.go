package window_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// pairMessage is a pair as a message: key → "left right".
func pairMessage(p viewClick) kafka.Message[string, string] {
	return kafka.NewMessage(p.Left.Key, p.Left.Value+" "+p.Right.Value)
}

// In exactly-once mode the join's state, its pairs sent to a topic and
// the offsets of both topics commit together: a read_committed reader
// sees each pair once.
func TestStreamJoinExactlyOnce(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 2), kafkatest.WithTopic("clicks", 2), kafkatest.WithTopic("pairs", 2))
	ctx := testkit.Context(t, 90*time.Second)
	group := testkit.UniqueName("join")
	conf := testkit.KafkaConf(b.Addr(), "group.id", group)
	eo, err := kafka.NewExactlyOnce(conf, &kafka.ExactlyOnceOptions{CommitInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	views, err := kafka.NewTopic[string, string]("views", conf, kafka.WithExactlyOnce(eo))
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := kafka.NewTopicLike[string, string]("clicks", views)
	if err != nil {
		t.Fatal(err)
	}
	out, err := kafka.NewTopicLike[string, string]("pairs", views)
	if err != nil {
		t.Fatal(err)
	}
	codecs := window.JoinCodecs[string, string, string]{Keys: codec.StringKey(), Left: codec.String(), Right: codec.String()}
	j, err := window.JoinStreams(ctx, "viewclicks", views, clicks, window.JoinWindows{Within: time.Millisecond, Grace: time.Hour}, codecs, &state.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	app := stream.NewApp()
	window.HandleJoin(app, j, topicSink[viewClick]{out, pairMessage})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Run(runCtx) }()

	const n = 200
	var vs, cs []ev
	want := map[string]int{}
	for i := range n {
		k := fmt.Sprintf("k%03d", i)
		vs, cs = append(vs, ev{k, "v" + k, float64(i)}), append(cs, ev{k, "c" + k, float64(i) + 0.5})
		want[fmt.Sprintf("v%s c%s", k, k)] = 1
	}
	sendAt(t, ctx, b, "views", vs...)
	sendAt(t, ctx, b, "clicks", cs...)
	testkit.Eventually(t, time.Minute, "every view and click committed", func() bool { return committedOf(b, group, "views", "clicks") == 2*n })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := eo.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, kv := range readCommitted(t, ctx, b.Addr(), "pairs", 2) {
		got[kv[1]]++
	}
	if !maps.Equal(got, want) {
		t.Errorf("read_committed saw %d distinct pairs (%v), want each of %d once", len(got), got, n)
	}
}

// Two instances share the partitions of both topics alike: each reads the
// clicks of the partitions whose views it reads and whose state it holds,
// and every pair is found. Named with group.instance.id; or unnamed, each
// with a client.id of its own, as the consumers of each process have by
// default (kafka.ConsumerDefaults): the two instances of this test share
// a process, so they set theirs.
func TestStreamJoinTwoInstances(t *testing.T) {
	for _, by := range []string{"group.instance.id", "client.id"} {
		t.Run(by, func(t *testing.T) { joinTwoInstances(t, by) })
	}
}

func joinTwoInstances(t *testing.T, by string) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 4), kafkatest.WithTopic("clicks", 4))
	ctx := testkit.Context(t, 90*time.Second)
	group, w := testkit.UniqueName("join"), window.JoinWindows{Grace: time.Hour}
	first := runJoiner(t, ctx, b, group, t.TempDir(), w, by, "slipstream-w1")
	second := runJoiner(t, ctx, b, group, t.TempDir(), w, by, "slipstream-w2")
	if _, err := b.Cluster().WaitGroupStable(ctx, group, 4); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var want []string
	var views, clicks []ev
	for i := range n {
		k := fmt.Sprintf("k%03d", i)
		views, clicks = append(views, ev{k, "v", float64(i)}), append(clicks, ev{k, "c", float64(i)})
		want = append(want, fmt.Sprintf("%s v@%d c@%d", k, i, i))
	}
	sendAt(t, ctx, b, "views", views...)
	sendAt(t, ctx, b, "clicks", clicks...)
	first.settle(t, ctx, b)
	var got []string
	for _, jr := range []*joiner{first, second} {
		if jr.pairs.Len() == 0 {
			t.Errorf("an instance found no pairs: it holds partitions %v", jr.j.Table().State().Held())
		}
		for _, p := range jr.pairs.Items() {
			got = append(got, showPair(p))
		}
		jr.finish(t)
	}
	slices.Sort(got)
	expect(t, "pairs", got, want...)
}
