// Package testkit holds the helpers that the tests of several packages
// share: a context bound to a test, polling for a condition, names and
// configurations for Kafka clients, the check that a paused consumer
// keeps its place in its group, and the test binary run again as a child
// process ([Child]), for the tests that kill and restart an app.
package testkit

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// Context returns a context that ends with the test or after d.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

var names atomic.Int64

// UniqueName returns a name that begins with prefix and that no other test
// uses, also on a cluster that other runs share (see KAFKA_BOOTSTRAP).
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), names.Add(1))
}

// KafkaConf returns the configuration of a Kafka client of the broker at
// addr, in a consumer group of its own, reading from the beginning,
// followed by the key-value pairs kv. It is a kafka.ConfigMap (this package
// cannot import package kafka, whose own tests use it).
func KafkaConf(addr string, kv ...any) map[string]any {
	conf := map[string]any{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
		"group.id":              UniqueName("group"),
		"auto.offset.reset":     "earliest",
	}
	for i := 0; i < len(kv); i += 2 {
		conf[kv[i].(string)] = kv[i+1]
	}
	return conf
}

// Eventually polls cond every 20 ms until it holds, or fails the test after
// d, saying what did not happen.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// HoldPaused checks an app whose Kafka source is paused (or whose handler
// is stuck), the only member of consumer group on b: once handled (the
// count of messages the app has handled) comes to rest, it calls more
// (which typically produces more messages), waits for hold, and fails the
// test if the app handled anything meanwhile, if the group changed members
// or generation, or if the app ended (its Run's error arrives on ended). A
// hold longer than max.poll.interval.ms checks that the consumer keeps
// polling.
func HoldPaused(t testing.TB, b *kafkatest.Broker, group string, hold time.Duration, handled func() int, more func(), ended <-chan error) {
	t.Helper()
	before := b.Cluster().GroupInfo(group)
	if before == nil || len(before.Members) != 1 {
		t.Fatalf("group before the pause: %+v", before)
	}
	// Items already past the source may finish; then nothing moves.
	Eventually(t, 5*time.Second, "the stream did not come to rest", func() bool {
		n := handled()
		time.Sleep(200 * time.Millisecond)
		return handled() == n
	})
	atRest := handled()
	more()

	timer := time.NewTimer(hold)
	defer timer.Stop()
	select {
	case <-timer.C:
	case err := <-ended:
		t.Fatalf("the app ended during the pause: %v", err)
	}
	if n := handled(); n != atRest {
		t.Fatalf("handled %d messages during the pause (%d when it came to rest)", n, atRest)
	}
	after := b.Cluster().GroupInfo(group)
	if after == nil || len(after.Members) != 1 || after.Members[0].MemberID != before.Members[0].MemberID || after.Epoch != before.Epoch {
		t.Fatalf("the group changed during the pause: before %+v, after %+v", before, after)
	}
}
