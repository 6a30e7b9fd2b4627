package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
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
		if err := first.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-first.done

		began := time.Now()
		second := startChild(t, b.Addr(), group, 0, env...)
		expectLine(t, ctx, second, "started")
		expectLine(t, ctx, second, "first")
		took := time.Since(began)
		second.stop(t, ctx)
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

// expectLine fails the test unless the child's next line of output is want.
func expectLine(t *testing.T, ctx context.Context, c *child, want string) {
	t.Helper()
	if got := c.line(t, ctx); got != want {
		t.Fatalf("the child said %q, want %q", got, want)
	}
}
