package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// TestLongPauseKeepsGroupAndMessages pauses a stream for longer than
// max.poll.interval.ms, with messages already read and more arriving: the
// consumer must stay in its group, and every message must be handled once,
// in order, after the resume.
func TestLongPauseKeepsGroupAndMessages(t *testing.T) {
	checkHeldConsumer(t, func(s stream.Stream[kafka.Message[string, string]]) (hold, release func()) {
		return s.Pause, s.Resume
	})
}

// TestSlowHandlerKeepsGroupAndMessages holds one message in the handler
// for longer than max.poll.interval.ms, with more messages arriving: the
// handler runs on the goroutine that polls, so the consumer must go on
// polling without it to stay in its group, and every message must be
// handled once, in order, after the handler returns.
func TestSlowHandlerKeepsGroupAndMessages(t *testing.T) {
	checkHeldConsumer(t, func(stream.Stream[kafka.Message[string, string]]) (hold, release func()) {
		released := make(chan struct{})
		return func() { <-released }, func() { close(released) }
	})
}

// checkHeldConsumer runs an app that reads 50 messages, then 50 more, with
// a max.poll.interval.ms of 3 seconds. Its handler calls hold at the fifth
// message; the consumer then stays held for 5 seconds, while the other 50
// arrive, and must neither handle anything nor change its group meanwhile
// (see testkit.HoldPaused). After release, every message must be handled
// once, in order. holding makes hold and release for the app's stream.
func checkHeldConsumer(t *testing.T, holding func(stream.Stream[kafka.Message[string, string]]) (hold, release func())) {
	const maxPoll = 3 * time.Second
	b := newBroker(t, kafkatest.WithTopic("slow", 1),
		kafkatest.WithClusterOptions(kfake.GroupMinSessionTimeout(500*time.Millisecond)))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr(),
		"max.poll.interval.ms", int(maxPoll.Milliseconds()),
		"session.timeout.ms", 1500,
		"heartbeat.interval.ms", 300)
	group := conf["group.id"].(string)
	topic := newTopic[string, string](t, "slow", conf)
	producer := newTopic[string, string](t, "slow", testkit.KafkaConf(b.Addr()))
	produceN(t, ctx, producer, 50, func(int) string { return "k" })

	var (
		mu      sync.Mutex
		handled []string
	)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(handled)
	}
	s := stream.From(topic)
	hold, release := holding(s)
	held := make(chan struct{})
	app := stream.NewApp()
	stream.Handle(app, s, stream.Do(func(m kafka.Message[string, string]) {
		mu.Lock()
		handled = append(handled, m.Value)
		n := len(handled)
		mu.Unlock()
		if n == 5 { // with messages read and not yet handled
			close(held)
			hold()
		}
	}))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- app.Run(runCtx) }()

	select {
	case <-held:
	case err := <-errc:
		t.Fatalf("app ended before the consumer was held: %v", err)
	case <-ctx.Done():
		t.Fatal("the consumer was never held")
	}
	// Stay held well beyond max.poll.interval.ms.
	testkit.HoldPaused(t, b, group, maxPoll+2*time.Second, count, func() {
		produceN(t, ctx, producer, 50, func(int) string { return "k" })
	}, errc)

	release()
	testkit.Eventually(t, 20*time.Second, "not every message was handled after the release", func() bool { return count() >= 100 })
	stop()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) != 100 {
		t.Fatalf("handled %d messages, want 100", len(handled))
	}
	for i, v := range handled {
		if v != fmt.Sprint(i%50) {
			t.Fatalf("message %d is %s, want %d: %v", i, v, i%50, handled)
		}
	}
}
