package window_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

type clicks = kafka.Message[string, string]

// A windower is an app counting the clicks of a topic per key in
// tumbling windows of 10 ms, its state in a partitioned table.
type windower struct {
	op      *window.Operator[clicks, string, int64]
	table   *window.Table
	results *sink.Collector[window.Result[string, int64]]
	stop    context.CancelFunc
	done    chan error
}

func startWindower(t *testing.T, ctx context.Context, b *kafkatest.Broker, group, dir string) *windower {
	t.Helper()
	input, err := kafka.NewTopic[string, string]("clicks", testkit.KafkaConf(b.Addr(), "group.id", group))
	if err != nil {
		t.Fatal(err)
	}
	table, err := window.NewTable(ctx, "counts", input, &state.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	op, err := window.New(window.Tumbling(10*time.Millisecond), window.Messages[string, string](codec.StringKey()), window.Count[clicks](), table, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &windower{op: op, table: table, results: sink.Collect[window.Result[string, int64]](), done: make(chan error, 1)}
	app := stream.NewApp()
	window.Handle(app, input, op, w.results)
	runCtx, stop := context.WithCancel(ctx)
	w.stop = stop
	go func() { w.done <- app.Run(runCtx) }()
	return w
}

// waitFor waits until the windower has sent n results, and returns them.
func (w *windower) waitFor(t *testing.T, n int) []string {
	t.Helper()
	testkit.Eventually(t, 30*time.Second, "results", func() bool { return w.results.Len() >= n })
	var out []string
	for _, r := range w.results.Items() {
		out = append(out, show(r))
	}
	return out
}

func (w *windower) finish(t *testing.T) {
	t.Helper()
	w.stop()
	if err := <-w.done; err != nil {
		t.Fatal(err)
	}
}

func produceClicks(t *testing.T, ctx context.Context, b *kafkatest.Broker, rs ...rec) {
	t.Helper()
	topic, err := kafka.NewTopic[string, string]("clicks", testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer topic.Close(ctx)
	for _, r := range rs {
		m := kafka.NewMessage(r.Key, "click")
		m.Timestamp = ms(r.At)
		if err := topic.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTableRestore counts into windows, stops mid-window, and goes on from
// the changelog on an empty disk, then from the same disk as before: the
// window's count and the stream time survive both.
func TestTableRestore(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("clicks", 1))
	ctx := testkit.Context(t, 90*time.Second)
	group, disk := testkit.UniqueName("windows"), t.TempDir()

	produceClicks(t, ctx, b, rec{"a", 1}, rec{"a", 2}, rec{"b", 3})
	first := startWindower(t, ctx, b, group, disk)
	expect(t, "first", first.waitFor(t, 3), "a [0,10]=1", "a [0,10]=2", "b [0,10]=1")
	first.finish(t)

	produceClicks(t, ctx, b, rec{"a", 5}, rec{"a", 15})
	fresh := startWindower(t, ctx, b, group, t.TempDir())
	expect(t, "restored from the changelog", fresh.waitFor(t, 2), "a [0,10]=3", "a [10,20]=1")
	if n := fresh.table.State().Restored(); n == 0 {
		t.Error("the fresh disk read no changelog records")
	}
	fresh.finish(t)

	produceClicks(t, ctx, b, rec{"a", 7}, rec{"b", 16})
	again := startWindower(t, ctx, b, group, disk)
	expect(t, "restarted on the first disk", again.waitFor(t, 1), "b [10,20]=1")
	testkit.Eventually(t, 30*time.Second, "a at 7 counted late", func() bool { return again.op.Late() == 1 })
	again.finish(t)
	if got := again.results.Items(); slices.ContainsFunc(got, func(r window.Result[string, int64]) bool { return r.Key == "a" }) {
		t.Errorf("a late record made a result: %v", got)
	}
}
