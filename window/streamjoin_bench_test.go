package window_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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

// BenchmarkStreamJoin joins views with clicks of the in-process broker,
// state in RocksDB with a changelog: one op is one message (a view or a
// click) handled, each view with one click within the time difference.
// In turn, three times each, on a fresh broker each time, it runs the
// join and the floor any join on partitioned state pays: each message
// written to a state.Table on its own topic, with no pairing, index,
// stream time or expiry. Each run is timed from a settled group, its
// messages produced meanwhile, to its last output. It reports the join's
// median ns/op, the floor's (table-ns/op), and "x-table", the join's speed
// as a multiple of the floor's.
func BenchmarkStreamJoin(b *testing.B) {
	n := max(b.N/2, 1) // views, and as many clicks
	var joins, tables []float64
	for range 3 {
		joins = append(joins, float64(benchJoinRun(b, n, true).Nanoseconds())/float64(2*n))
		tables = append(tables, float64(benchJoinRun(b, n, false).Nanoseconds())/float64(2*n))
	}
	j, t := median(joins), median(tables)
	b.ReportMetric(j, "ns/op")
	b.ReportMetric(t, "table-ns/op")
	b.ReportMetric(t/j, "x-table")
}

func median(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// benchJoinRun runs the join (or the floor) over n views and n clicks, and
// returns how long it took from a settled group to its last output.
func benchJoinRun(b *testing.B, n int, join bool) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	bk := kafkatest.NewBroker(b, kafkatest.WithTopic("views", 4), kafkatest.WithTopic("clicks", 4))
	ctx := testkit.Context(b, 5*time.Minute)
	group := testkit.UniqueName("bench")
	views, err := kafka.NewTopic[string, string]("views", testkit.KafkaConf(bk.Addr(), "group.id", group))
	if err != nil {
		b.Fatal(err)
	}
	clicks, err := kafka.NewTopicLike[string, string]("clicks", views)
	if err != nil {
		b.Fatal(err)
	}
	var outputs atomic.Int64
	want := int64(2 * n) // the floor: a write per message
	app := stream.NewApp()
	if join {
		want = int64(n) // a pair per view
		bindJoin(b, ctx, app, views, clicks, &outputs)
	} else {
		bindFloor(b, ctx, app, views, clicks, &outputs)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Run(runCtx) }()
	if _, err := bk.Cluster().WaitGroupStable(ctx, group, 2); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var sent sync.WaitGroup
	for _, side := range []struct {
		topic string
		at    float64
	}{{"views", 0}, {"clicks", 0.5}} {
		sent.Go(func() {
			evs := make([]ev, n)
			for i := range evs {
				evs[i] = ev{benchKeyNames[i%benchKeys], side.topic, float64(i) + side.at}
			}
			sendAt(b, ctx, bk, side.topic, evs...)
		})
	}
	testkit.Eventually(b, time.Minute, fmt.Sprintf("join %v: every output: %d of %d", join, outputs.Load(), want), func() bool { return outputs.Load() >= want })
	took := time.Since(start)
	sent.Wait()
	stop()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return took
}

// bindJoin binds the join of views and clicks within 5 ms to app,
// counting its pairs. Its grace period is long enough that no message is
// late however far one topic's consumer runs ahead of the other's (so
// nothing expires during a run).
func bindJoin(b *testing.B, ctx context.Context, app *stream.App, views, clicks *kafka.Topic[string, string], pairs *atomic.Int64) {
	codecs := window.JoinCodecs[string, string, string]{Keys: codec.StringKey(), Left: codec.String(), Right: codec.String()}
	j, err := window.JoinStreams(ctx, "join", views, clicks, window.JoinWindows{Within: 5 * time.Millisecond, Grace: time.Hour}, codecs, &state.Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	window.HandleJoin(app, j, sink.Func(func(context.Context, viewClick) error {
		pairs.Add(1)
		return nil
	}))
}

// bindFloor binds to app a handler of each topic writing each message to
// a table of its own, counting the writes.
func bindFloor(b *testing.B, ctx context.Context, app *stream.App, views, clicks *kafka.Topic[string, string], writes *atomic.Int64) {
	for _, topic := range []*kafka.Topic[string, string]{views, clicks} {
		t, err := state.New(ctx, topic.Name(), topic, codec.StringKey(), codec.String(), &state.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		stream.Handle(app, topic, stream.Func(func(m kafka.Message[string, string]) state.Change[string, string] {
			return state.Put(m.Partition, fmt.Sprint(m.Key, "@", m.Timestamp.UnixNano(), "@", m.Offset), m.Value)
		}), t, sink.Func(func(context.Context, state.Change[string, string]) error {
			writes.Add(1)
			return nil
		}))
	}
}
