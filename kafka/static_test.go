package kafka_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// restartSession is the session timeout of the restart test's consumers:
// a dead dynamic member holds its partitions this long.
const restartSession = 6 * time.Second

// TestRestartResumesAtOnce kills a consumer process with SIGKILL while it
// processes, restarts it, and measures the time from the restart to the
// first message the new process handles: with a group.instance.id, the
// new process takes the dead one's place at once (static membership,
// KIP-345); without one, it waits for the broker to expire the dead
// member's session.
func TestRestartResumesAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a session timeout")
	}
	b := newBroker(t, kafkatest.WithTopic("in", 3), kafkatest.WithTopic("out", 3))
	ctx := testkit.Context(t, 120*time.Second)
	produceN(t, ctx, newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr())), 2000, func(i int) string { return fmt.Sprint(i) })

	restart := func(instance string) time.Duration {
		group := testkit.UniqueName("restart")
		env := []string{fmt.Sprintf("%s=%d", childSession, restartSession.Milliseconds())}
		if instance != "" {
			env = append(env, childInstance+"="+instance)
		}
		first := startChild(t, b.Addr(), group, 20*time.Millisecond, env...)
		expectLine(t, ctx, first, "started")
		expectLine(t, ctx, first, "first")
		time.Sleep(300 * time.Millisecond) // a few heartbeats and commits
		first.Kill(t)

		began := time.Now()
		second := startChild(t, b.Addr(), group, 0, env...)
		expectLine(t, ctx, second, "started")
		expectLine(t, ctx, second, "first")
		took := time.Since(began)
		second.Stop(t, ctx)
		return took
	}
	static := restart("restart-test")
	dynamic := restart("")
	t.Logf("from restart to first message handled, session timeout %v: %v with group.instance.id, %v without",
		restartSession, static.Round(time.Millisecond), dynamic.Round(time.Millisecond))
	if static >= restartSession/2 {
		t.Errorf("with a group.instance.id, the restarted process handled its first message after %v; want well under the session timeout, %v", static, restartSession)
	}
	if dynamic < restartSession/2 {
		t.Errorf("without a group.instance.id, the restarted process handled its first message after %v: the dead member's session (%v) did not hold it up, so the test measures nothing", dynamic, restartSession)
	}
}

// TestStaticMembersOfOneProcess reads two topics in one group, one of them
// twice at once, with one instance name: each consumer joins under an id
// of its own, so none fences another, and every message is handled.
func TestStaticMembersOfOneProcess(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("in", 3), kafkatest.WithTopic("other", 2))
	ctx := testkit.Context(t, 60*time.Second)
	group := testkit.UniqueName("static")
	conf := testkit.KafkaConf(b.Addr(), "group.id", group, "group.instance.id", "worker-1")
	produceN(t, ctx, newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr())), 300, func(i int) string { return fmt.Sprint(i) })
	produceN(t, ctx, newTopic[string, string](t, "other", testkit.KafkaConf(b.Addr())), 200, func(i int) string { return fmt.Sprint(i) })

	in := newTopic[string, string](t, "in", conf)
	other := newTopic[string, string](t, "other", conf)
	var handled atomic.Int64
	count := stream.Do(func(kafka.Message[string, string]) { handled.Add(1) })
	app := stream.NewApp()
	stream.Handle(app, in, count)
	stream.Handle(app, in, count)
	stream.Handle(app, other, count)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()

	testkit.Eventually(t, 30*time.Second, "the three consumers did not handle every message", func() bool { return handled.Load() >= 500 })
	var ids []string
	for _, m := range b.Cluster().GroupInfo(group).Members {
		if m.InstanceID != nil {
			ids = append(ids, *m.InstanceID)
		}
	}
	sort.Strings(ids)
	if want := []string{"worker-1-in", "worker-1-in-2", "worker-1-other"}; !slices.Equal(ids, want) {
		t.Errorf("the group's static members are %q, want %q", ids, want)
	}
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	if n := handled.Load(); n != 500 {
		t.Errorf("handled %d messages, want 500", n)
	}
}

// TestSharedInstanceNameFails starts two processes given one instance
// name: the second takes the first's place in the group, and the first
// fails, with an error that says why, and exits.
func TestSharedInstanceNameFails(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("in", 1), kafkatest.WithTopic("out", 1))
	ctx := testkit.Context(t, 60*time.Second)
	group := testkit.UniqueName("fenced")
	env := []string{childInstance + "=twin", childSession + "=6000"}
	first := startChild(t, b.Addr(), group, 0, env...)
	expectLine(t, ctx, first, "started")
	waitForMembers(t, ctx, b.Addr(), group, 1)
	second := startChild(t, b.Addr(), group, 0, env...)
	expectLine(t, ctx, second, "started")

	if err := first.Ended(t, ctx); err == nil {
		t.Fatal("the fenced process exited cleanly")
	}
	const want = "kafka: topic in: consumer (group.instance.id twin-in) fenced: another consumer joined the group with the same group.instance.id"
	if !strings.Contains(first.Stderr(), want) {
		t.Errorf("the fenced process said:\n%s\nwant an error containing %q", first.Stderr(), want)
	}
	second.Stop(t, ctx)
}

// expectLine fails the test unless the child's next line of output is want.
func expectLine(t *testing.T, ctx context.Context, c *testkit.Child, want string) {
	t.Helper()
	if got := c.Line(t, ctx); got != want {
		t.Fatalf("the child said %q, want %q", got, want)
	}
}
