package window_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
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
	jr := runJoiner(t, ctx, b, group, dir, w)
	// The two topics' consumers join the group one after the other: a
	// message handled before the second came may come again after the
	// rebalance, its offset not yet committed (at least once).
	if _, err := b.Cluster().WaitGroupStable(ctx, group, 2); err != nil {
		t.Fatal(err)
	}
	return jr
}

// runJoiner starts a joiner in group, its clients configured with conf
// (key-value pairs) too.
func runJoiner(t *testing.T, ctx context.Context, b *kafkatest.Broker, group, dir string, w window.JoinWindows, conf ...any) *joiner {
	t.Helper()
	cm := testkit.KafkaConf(b.Addr(), append([]any{"group.id", group, "auto.commit.interval.ms", 100}, conf...)...)
	views, err := kafka.NewTopic[string, string]("views", cm)
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := kafka.NewTopicLike[string, string]("clicks", views)
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

func sendAt(t testing.TB, ctx context.Context, b *kafkatest.Broker, topic string, evs ...ev) {
	t.Helper()
	tp, err := kafka.NewTopic[string, string](topic, testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close(ctx)
	var sent sync.WaitGroup
	errs := make(chan error, len(evs))
	for _, e := range evs {
		m := kafka.NewMessage(e.key, e.value)
		m.Timestamp = ms(e.at)
		sent.Add(1)
		done := func(err error) {
			errs <- err
			sent.Done()
		}
		if err := tp.SendAsync(ctx, m, done); err != nil {
			t.Fatal(err)
		}
	}
	sent.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
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

// A record more than the grace period behind stream time is late:
// counted, kept nowhere, paired with nothing. Records that stream time
// has left behind by the time difference and the grace period leave the
// state.
func TestStreamJoinLateAndExpiry(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 1), kafkatest.WithTopic("clicks", 1))
	ctx := testkit.Context(t, 60*time.Second)
	w := window.JoinWindows{Within: 10 * time.Millisecond, Grace: 5 * time.Millisecond}
	jr := startJoiner(t, ctx, b, testkit.UniqueName("join"), t.TempDir(), w)

	sendAt(t, ctx, b, "views", ev{"a", "v1", 0}, ev{"b", "v2", 20})
	jr.settle(t, ctx, b)
	// Stream time 20 is past a's view at 0 by more than 15: it expired.
	if n := records(t, jr.j); n != 3 {
		t.Errorf("%d keys in the state, want 3: b's view, its index entry, stream time", n)
	}
	// A click at 15 is within the grace period, one at 14.999 is late;
	// a's click at 15 is 15 after a's view.
	sendAt(t, ctx, b, "clicks", ev{"b", "c1", 15}, ev{"b", "c2", 14.999}, ev{"a", "c3", 15})
	jr.settle(t, ctx, b)
	if n := jr.j.Late(); n != 1 {
		t.Errorf("%d late records, want 1 (b's click at 14.999)", n)
	}
	if n := records(t, jr.j); n != 7 {
		t.Errorf("%d keys in the state, want 7: the late click not kept", n)
	}
	sendAt(t, ctx, b, "views", ev{"z", "v3", 46})
	jr.settle(t, ctx, b)
	if n := records(t, jr.j); n != 3 {
		t.Errorf("%d keys in the state after stream time 46, want 3: z's view, its index entry, stream time", n)
	}
	got := jr.waitFor(t, 1)
	jr.finish(t)
	expect(t, "pairs", got, "b v2@20 c1@15")
}

// Over a long run the state holds the records of the last time difference
// and grace period only.
func TestStreamJoinStateBounded(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 2), kafkatest.WithTopic("clicks", 2))
	ctx := testkit.Context(t, 120*time.Second)
	// Each round sends 250 ms of views, then as much of clicks: the
	// clicks come behind stream time by less than the grace period.
	w := window.JoinWindows{Within: 5 * time.Millisecond, Grace: 300 * time.Millisecond}
	jr := startJoiner(t, ctx, b, testkit.UniqueName("join"), t.TempDir(), w)
	const rounds, each, keys = 12, 250, 10
	most := 0
	for round := range rounds {
		var views, clicks []ev
		for i := range each {
			at := float64(round*each + i) // a view and a click a millisecond
			k := fmt.Sprint("k", i%keys)
			views = append(views, ev{k, "v", at})
			clicks = append(clicks, ev{k, "c", at + 0.5})
		}
		sendAt(t, ctx, b, "views", views...)
		sendAt(t, ctx, b, "clicks", clicks...)
		jr.settle(t, ctx, b)
		most = max(most, records(t, jr.j))
	}
	jr.finish(t)
	// Kept: 306 ms of records per stream, each with an index entry, and a
	// stream time per partition; a partition's stream time may lag the
	// other's by the keys it does not have.
	if bound := 2*2*(306+keys) + 2; most > bound {
		t.Errorf("the state grew to %d keys, want at most %d (of %d records)", most, bound, 2*rounds*each)
	}
	t.Logf("at most %d keys in the state, of %d records", most, 2*rounds*each)
	if n, late := jr.pairs.Len(), jr.j.Late(); n != rounds*each || late != 0 {
		t.Errorf("%d pairs and %d late records, want %d pairs (each view with its click) and none late", n, late, rounds*each)
	}
}

// Views and clicks of many keys, sent at once from two producers, each
// pair at one instant: every pair is found once, however the two streams'
// handlers interleave.
func TestStreamJoinConcurrentSides(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 2), kafkatest.WithTopic("clicks", 2))
	ctx := testkit.Context(t, 60*time.Second)
	jr := startJoiner(t, ctx, b, testkit.UniqueName("join"), t.TempDir(), window.JoinWindows{Grace: time.Hour})
	const n = 500
	var views, clicks, want []string
	for i := range n {
		k := fmt.Sprintf("k%03d", i)
		views, clicks = append(views, k), append(clicks, k)
		want = append(want, fmt.Sprintf("%s v@%d c@%d", k, i, i))
	}
	var wg sync.WaitGroup
	for _, side := range []struct{ topic, value string }{{"views", "v"}, {"clicks", "c"}} {
		wg.Go(func() {
			evs := make([]ev, n)
			for i := range evs {
				evs[i] = ev{fmt.Sprintf("k%03d", i), side.value, float64(i)}
			}
			sendAt(t, ctx, b, side.topic, evs...)
		})
	}
	wg.Wait()
	jr.settle(t, ctx, b)
	got := jr.waitFor(t, n)
	jr.finish(t)
	slices.Sort(want)
	expect(t, "pairs", got, want...)
}

// The records of both streams survive a restart on a fresh disk, read back
// from the changelog, and so does stream time.
func TestStreamJoinRestore(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 1), kafkatest.WithTopic("clicks", 1))
	ctx := testkit.Context(t, 90*time.Second)
	w := window.JoinWindows{Within: 10 * time.Millisecond, Grace: 5 * time.Millisecond}
	group := testkit.UniqueName("join")

	first := startJoiner(t, ctx, b, group, t.TempDir(), w)
	sendAt(t, ctx, b, "views", ev{"a", "v1", 100})
	sendAt(t, ctx, b, "clicks", ev{"b", "c1", 100})
	first.settle(t, ctx, b)
	first.finish(t)

	again := startJoiner(t, ctx, b, group, t.TempDir(), w)
	sendAt(t, ctx, b, "clicks", ev{"a", "c2", 94}) // late: behind 100 by more than 5
	again.settle(t, ctx, b)
	sendAt(t, ctx, b, "clicks", ev{"a", "c3", 103})
	sendAt(t, ctx, b, "views", ev{"b", "v2", 98})
	again.settle(t, ctx, b)
	got := again.waitFor(t, 2)
	again.finish(t)
	expect(t, "pairs after the restore", got, "a v1@100 c3@103", "b v2@98 c1@100")
	if n := again.j.Late(); n != 1 {
		t.Errorf("%d late records after the restore, want 1: stream time 100 restored", n)
	}
	if again.j.Table().State().Restored() == 0 {
		t.Error("the fresh disk read no changelog records")
	}
}

// Topics partitioned differently cannot be joined; nor can a topic with
// itself.
func TestStreamJoinErrors(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("views", 2), kafkatest.WithTopic("clicks", 3))
	ctx := testkit.Context(t, 30*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	views, err := kafka.NewTopic[string, string]("views", conf)
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := kafka.NewTopic[string, string]("clicks", conf)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := kafka.NewTopic[string, string]("clicks", testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	codecs := window.JoinCodecs[string, string, string]{Keys: codec.StringKey(), Left: codec.String(), Right: codec.String()}
	for _, c := range []struct {
		name        string
		left, right *kafka.Topic[string, string]
		w           window.JoinWindows
		codecs      window.JoinCodecs[string, string, string]
		want        string
	}{
		{"not co-partitioned", views, clicks, window.JoinWindows{}, codecs, "views has 2 partitions and topic clicks has 3: they must be co-partitioned"},
		{"itself", views, views, window.JoinWindows{}, codecs, "cannot be joined with itself"},
		{"two groups", views, elsewhere, window.JoinWindows{}, codecs, "they must be read in one"},
		{"negative", views, clicks, window.JoinWindows{Within: -1}, codecs, "Within is negative"},
		{"no codecs", views, clicks, window.JoinWindows{}, window.JoinCodecs[string, string, string]{}, "need Keys, Left and Right"},
	} {
		_, err := window.JoinStreams(ctx, "j", c.left, c.right, c.w, c.codecs, &state.Options{Dir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "join j of views with") {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}
