package kafka

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A producer failure reported between a send's check and librdkafka
// taking the message (its purge then ran before the message was queued)
// must not leave the message waiting for a broker it can never reach: the
// send purges it, and its done function hears of the failure.
func TestSendRacingAFailureIsPurged(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Nothing listens on port 1: without the purge, the message would wait
	// out message.timeout.ms.
	p, err := newProducer("t", ConfigMap{"bootstrap.servers": "127.0.0.1:1", "message.timeout.ms": 600_000}, logger, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.close(ctx)
	}()
	failure := errors.New("kafka: topic t: authentication failed")
	topic := "t"
	done := make(chan error, 1)
	p.deliveries.add(func(err error) { done <- err })
	// The race: the send has checked p.err, the failure lands, then the
	// message reaches librdkafka.
	p.fatal.Store(&failure)
	if err := p.enqueue(&ckafka.Message{TopicPartition: ckafka.TopicPartition{Topic: &topic, Partition: 0}, Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, failure) {
			t.Errorf("done(%v), want the producer's failure", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the message still waits: it was not purged")
	}
}
