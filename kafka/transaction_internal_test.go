package kafka

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// A member whose message never gets its outputs accepted (a failed sink):
// it signals the first time a commit asks.
type stuckMember struct {
	asked sync.Once
	ch    chan struct{}
}

func (m *stuckMember) inFlight() int                                         { m.asked.Do(func() { close(m.ch) }); return 1 }
func (m *stuckMember) takeOffsets() []ckafka.TopicPartition                  { return nil }
func (m *stuckMember) groupMetadata() (*ckafka.ConsumerGroupMetadata, error) { return nil, nil }
func (m *stuckMember) fail(error)                                            {}
func (m *stuckMember) committed([]ckafka.TopicPartition)                     {}

// An abort, as a failing app makes, ends a commit that waits for messages
// in flight whose outputs will never be accepted: the app stops at once,
// not after the transaction's timeout.
func TestAbortEndsACommitWaitingForMessagesInFlight(t *testing.T) {
	b := kafkatest.NewBroker(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	tx := newTransaction("stuck", ConfigMap{"bootstrap.servers": b.Addr(), "broker.address.family": "v4", "transaction.timeout.ms": 60_000}, logger)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := tx.producer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close(ctx)

	m := &stuckMember{ch: make(chan struct{})}
	committed := make(chan error, 1)
	go func() {
		_, err := tx.commitThen(ctx, func() []member { return []member{m} }, nil)
		committed <- err
	}()
	<-m.ch // the commit is draining
	aborted := make(chan error, 1)
	go func() { aborted <- tx.abort(ctx) }()
	select {
	case err := <-committed:
		if !errors.Is(err, errAborted) {
			t.Errorf("the commit ended with %v, want %v", err, errAborted)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the commit still waits for the message in flight, 20 s after the abort")
	}
	if err := <-aborted; err != nil {
		t.Errorf("abort: %v", err)
	}
	if !errors.Is(tx.err(), errAborted) {
		t.Errorf("the transaction ended with %v, want %v", tx.err(), errAborted)
	}
}
