package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// reports counts the done functions it makes, and collects their errors.
type reports struct {
	wg   sync.WaitGroup
	errs chan error
}

func newReports(n int) *reports { return &reports{errs: make(chan error, n)} }

// done returns the done function of one more message.
func (r *reports) done() func(error) {
	r.wg.Add(1)
	return func(err error) {
		if err != nil {
			r.errs <- err
		}
		r.wg.Done()
	}
}

// check waits for every report and fails t on the first error.
func (r *reports) check(t *testing.T) {
	t.Helper()
	r.wg.Wait()
	close(r.errs)
	for err := range r.errs {
		t.Fatal(err)
	}
}

// checkInOrder reads n messages of topic and fails t unless their values
// are 0 to n-1, in order.
func checkInOrder(t *testing.T, ctx context.Context, topic *kafka.Topic[string, string], n int) {
	t.Helper()
	for i, m := range collect(t, ctx, topic, n) {
		if m.Value != fmt.Sprint(i) {
			t.Fatalf("message %d is %s: out of order", i, m.Value)
		}
	}
}

// sendBatch sends ms with SendBatch, each reported to r.
func sendBatch(ctx context.Context, topic *kafka.Topic[string, string], r *reports, ms ...kafka.Message[string, string]) error {
	dones := make([]func(error), len(ms))
	for i := range dones {
		dones[i] = r.done()
	}
	return topic.SendBatch(ctx, ms, dones, nil)
}

// TestSendBatchKeepsOrderAndDelivers mixes runs sent with SendBatch with
// SendAsync and Send on a one-partition topic: every message must arrive,
// in the order sent, and each be reported delivered.
func TestSendBatchKeepsOrderAndDelivers(t *testing.T) {
	const n = 100
	b := newBroker(t, kafkatest.WithTopic("batch", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "batch", testkit.KafkaConf(b.Addr()))

	r := newReports(n)
	var run []kafka.Message[string, string]
	for i := range n {
		m := kafka.NewMessage("k", fmt.Sprint(i))
		var err error
		switch {
		case i == n-1:
			err = topic.Send(ctx, m)
		case i%10 == 9:
			err = topic.SendAsync(ctx, m, r.done())
		default:
			run = append(run, m)
			if len(run) < 1+i%7 && i%10 != 8 {
				continue
			}
			err = sendBatch(ctx, topic, r, run...)
			run = run[:0]
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	r.check(t)
	checkInOrder(t, ctx, topic, n)
}

// TestSendBatchOfABadMessageTakesNone: a run holding a message its codec
// cannot encode is refused whole, with the codec's error, no done is
// called, and none of it reaches the topic.
func TestSendBatchOfABadMessageTakesNone(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("bad", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, any](t, "bad", testkit.KafkaConf(b.Addr()), kafka.WithValueCodec(codec.JSON[any]()))
	called := false
	done := func(error) { called = true }
	run := []kafka.Message[string, any]{kafka.NewMessage[string, any]("", "fine"), kafka.NewMessage[string, any]("", make(chan int))}
	err := topic.SendBatch(ctx, run, []func(error){done, done}, nil)
	if err == nil || !strings.Contains(err.Error(), "encoding value with codec") {
		t.Fatalf("SendBatch returned %v, want the codec's error", err)
	}
	if called {
		t.Fatal("a done function was called for a refused run")
	}
	if err := topic.Produce(ctx, "", "after"); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, ctx, topic, 1); got[0].Value != "after" {
		t.Fatalf("first message on the topic is %v, want the one sent after the refused run", got[0].Value)
	}
	if err := topic.SendBatch(ctx, run[:1], nil, nil); err == nil {
		t.Fatal("SendBatch took a run with no done functions")
	}
}

// TestSendWaitsForRoomInAFullQueue sends many more messages than the
// producer's queue holds, as fast as it can: each send waits for room
// rather than failing, and every message is delivered.
func TestSendWaitsForRoomInAFullQueue(t *testing.T) {
	const n = 300
	b := newBroker(t, kafkatest.WithTopic("full", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "full", testkit.KafkaConf(b.Addr(), "queue.buffering.max.messages", 10))
	r := newReports(n)
	for i := 0; i < n; i += 3 {
		if err := topic.SendAsync(ctx, kafka.NewMessage("", fmt.Sprint(i)), r.done()); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if err := sendBatch(ctx, topic, r, kafka.NewMessage("", fmt.Sprint(i+1)), kafka.NewMessage("", fmt.Sprint(i+2))); err != nil {
			t.Fatalf("messages %d and %d: %v", i+1, i+2, err)
		}
	}
	r.check(t)
	checkInOrder(t, ctx, topic, n)
}
