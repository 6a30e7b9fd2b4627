package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

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

// TestSendBufferedKeepsOrderAndDelivers mixes buffered sends, which the
// Topic holds in bursts, with SendAsync and Send, which hand their message
// over at once, on a one-partition topic: every message must arrive, in
// the order sent, and each buffered one be reported delivered.
func TestSendBufferedKeepsOrderAndDelivers(t *testing.T) {
	const n = 100 // three bursts and some
	b := newBroker(t, kafkatest.WithTopic("burst", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "burst", testkit.KafkaConf(b.Addr()))

	r := newReports(n)
	for i := range n {
		m := kafka.NewMessage("k", fmt.Sprint(i))
		var err error
		switch {
		case i == n-1:
			err = topic.Send(ctx, m) // after everything held
		case i%10 == 9:
			err = topic.SendAsync(ctx, m, r.done())
		default:
			err = topic.SendBuffered(ctx, m, r.done())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	r.check(t)
	checkInOrder(t, ctx, topic, n)
}

// TestCloseDeliversWhatSendBufferedHolds: messages held and never flushed
// are delivered when the Topic closes.
func TestCloseDeliversWhatSendBufferedHolds(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("held", 1))
	ctx := testkit.Context(t, 60*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	topic, err := kafka.NewTopic[string, string]("held", conf)
	if err != nil {
		t.Fatal(err)
	}
	delivered := make(chan error, 3)
	for i := range 3 {
		if err := topic.SendBuffered(ctx, kafka.NewMessage("", fmt.Sprint(i)), func(err error) { delivered <- err }); err != nil {
			t.Fatal(err)
		}
	}
	if err := topic.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-delivered; err != nil {
			t.Fatal(err)
		}
	}
	reader := newTopic[string, string](t, "held", testkit.KafkaConf(b.Addr()))
	if got := collect(t, ctx, reader, 3); got[0].Value != "0" || got[2].Value != "2" {
		t.Fatalf("read %v", got)
	}
}

// TestFlushBufferedHandsOverAtOnce: a buffered message is delivered after
// FlushBuffered, without waiting for a burst to fill or for Close.
func TestFlushBufferedHandsOverAtOnce(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("flushed", 1))
	ctx := testkit.Context(t, 60*time.Second)
	topic := newTopic[string, string](t, "flushed", testkit.KafkaConf(b.Addr()))
	delivered := make(chan error, 1)
	if err := topic.SendBuffered(ctx, kafka.NewMessage("", "x"), func(err error) { delivered <- err }); err != nil {
		t.Fatal(err)
	}
	if err := topic.FlushBuffered(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-delivered:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("the flushed message was not delivered")
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
	for i := range n {
		send := topic.SendAsync
		if i%2 == 0 {
			send = topic.SendBuffered
		}
		if err := send(ctx, kafka.NewMessage("", fmt.Sprint(i)), r.done()); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if err := topic.FlushBuffered(ctx); err != nil {
		t.Fatal(err)
	}
	r.check(t)
	checkInOrder(t, ctx, topic, n)
}
