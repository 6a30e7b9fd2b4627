package window_test

import (
	"context"
	"fmt"
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

type viewClick = window.Pair[string, string, string]

// A joiner is an app joining topics "views" (left) and "clicks" (right).
type joiner struct {
	group string
	j     *window.StreamJoin[string, string, string]
	pairs *sink.Collector[viewClick]
	stop  context.CancelFunc
	done  chan error
}

func startJoiner(t *testing.T, ctx context.Context, b *kafkatest.Broker, group, dir string, w window.JoinWindows) *joiner {
	t.Helper()
	conf := testkit.KafkaConf(b.Addr(), "group.id", group, "auto.commit.interval.ms", 100)
	views, err := kafka.NewTopic[string, string]("views", conf)
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := kafka.NewTopic[string, string]("clicks", conf)
	if err != nil {
		t.Fatal(err)
	}
	codecs := window.JoinCodecs[string, string, string]{Keys: codec.StringKey(), Left: codec.String(), Right: codec.String()}
	j, err := window.JoinStreams(ctx, "viewclicks", views, clicks, w, codecs, &state.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	jr := &joiner{group: group, j: j, pairs: sink.Collect[viewClick](), done: make(chan error, 1)}
	app := stream.NewApp()
	window.HandleJoin(app, j, jr.pairs)
	runCtx, stop := context.WithCancel(ctx)
	jr.stop = stop
	go func() { jr.done <- app.Run(runCtx) }()
	return jr
}

// waitFor waits until the joiner has sent n pairs, and returns them all,
// formatted by showPair, sorted.
func (jr *joiner) waitFor(t *testing.T, n int) []string {
	t.Helper()
	testkit.Eventually(t, 30*time.Second, fmt.Sprint(n, " pairs"), func() bool { return jr.pairs.Len() >= n })
	var out []string
	for _, p := range jr.pairs.Items() {
		out = append(out, showPair(p))
	}
	slices.Sort(out)
	return out
}

// settle waits until the joiner's group has committed every message of
// both topics: they are handled, their outputs accepted.
func (jr *joiner) settle(t *testing.T, ctx context.Context, b *kafkatest.Broker) {
	t.Helper()
	for _, name := range []string{"views", "clicks"} {
		tp, err := kafka.NewTopic[string, string](name, testkit.KafkaConf(b.Addr(), "group.id", jr.group))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, 30*time.Second, name+" all committed", func() bool {
			lag, err := tp.Lag(ctx)
			if err != nil {
				return false
			}
			for _, n := range lag {
				if n != 0 {
					return false
				}
			}
			return true
		})
		tp.Close(ctx)
	}
}

func (jr *joiner) finish(t *testing.T) {
	t.Helper()
	jr.stop()
	if err := <-jr.done; err != nil {
		t.Fatal(err)
	}
}

// showPair formats a pair as "key left@ms right@ms".
func showPair(p viewClick) string {
	if p.Left.Key != p.Right.Key {
		return fmt.Sprintf("keys differ: %q %q", p.Left.Key, p.Right.Key)
	}
	return fmt.Sprintf("%s %s@%g %s@%g", p.Left.Key, p.Left.Value, since(p.Left.Timestamp), p.Right.Value, since(p.Right.Timestamp))
}

// An ev is a message to send: a key, a value and a time in milliseconds.
type ev struct {
	key, value string
	at         float64
}

func sendAt(t *testing.T, ctx context.Context, b *kafkatest.Broker, topic string, evs ...ev) {
	t.Helper()
	tp, err := kafka.NewTopic[string, string](topic, testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close(ctx)
	for _, e := range evs {
		m := kafka.NewMessage(e.key, e.value)
		m.Timestamp = ms(e.at)
		if err := tp.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

// records returns the keys in the join's state, in every partition it
// holds.
func records(t *testing.T, j *window.StreamJoin[string, string, string]) int {
	t.Helper()
	st := j.Table().State()
	n := 0
	for _, p := range st.Held() {
		it, err := st.Iter(p)
		if err != nil {
			t.Fatal(err)
		}
		for range it.Keys() {
			n++
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// Records of one key pair within the time difference, both ends included,
// whichever stream's comes first; records of other keys, or farther
// apart, do not.
func TestStreamJoinPairs(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 2), kafkatest.WithTopic("clicks", 2))
	ctx := testkit.Context(t, 60*time.Second)
	jr := startJoiner(t, ctx, b, testkit.UniqueName("join"), t.TempDir(), window.JoinWindows{Within: 10 * time.Millisecond, Grace: time.Hour})

	sendAt(t, ctx, b, "views", ev{"a", "v1", 100}, ev{"b", "v2", 100}, ev{"c", "v3", 100})
	testkit.Eventually(t, 30*time.Second, "the views kept", func() bool { return records(t, jr.j) >= 3 })
	sendAt(t, ctx, b, "clicks",
		ev{"a", "c1", 110},    // 10 after a's view: paired
		ev{"a", "c2", 89.999}, // more than 10 before: not
		ev{"b", "c3", 95},     // before b's view, within: paired
		ev{"d", "c4", 100})    // no view of d
	sendAt(t, ctx, b, "views", ev{"d", "v4", 90}, ev{"c", "v5", 300})
	jr.settle(t, ctx, b)
	got := jr.waitFor(t, 3)
	jr.finish(t)
	expect(t, "pairs", got,
		"a v1@100 c1@110",
		"b v2@100 c3@95",
		"d v4@90 c4@100") // the click came first: the view finds it
	if n := jr.j.Late(); n != 0 {
		t.Errorf("%d late records, want none within an hour of grace", n)
	}
}
