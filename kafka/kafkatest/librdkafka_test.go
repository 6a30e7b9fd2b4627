package kafkatest_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// These tests drive a kafkatest.Broker with librdkafka, through
// confluent-kafka-go, the way the rest of slipstream does.

// clientConfig returns librdkafka settings for addr with the settings the
// package documentation recommends, followed by the key-value pairs kv.
func clientConfig(addr string, kv ...any) *kafka.ConfigMap {
	cm := kafka.ConfigMap{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
	}
	for i := 0; i < len(kv); i += 2 {
		cm[kv[i].(string)] = kv[i+1]
	}
	return &cm
}

func newProducer(t *testing.T, addr string, kv ...any) *kafka.Producer {
	t.Helper()
	p, err := kafka.NewProducer(clientConfig(addr, kv...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func newConsumer(t *testing.T, addr, group string, kv ...any) *kafka.Consumer {
	t.Helper()
	kv = append([]any{
		"group.id", group,
		"auto.offset.reset", "earliest",
		"enable.auto.commit", false,
	}, kv...)
	c, err := kafka.NewConsumer(clientConfig(addr, kv...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// produce produces value to topic and waits for its delivery report.
func produce(ctx context.Context, p *kafka.Producer, topic, key, value string) (kafka.TopicPartition, error) {
	delivered := make(chan kafka.Event, 1)
	msg := &kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Key:            []byte(key),
		Value:          []byte(value),
	}
	if err := p.Produce(msg, delivered); err != nil {
		return kafka.TopicPartition{}, err
	}
	select {
	case ev := <-delivered:
		m := ev.(*kafka.Message)
		return m.TopicPartition, m.TopicPartition.Error
	case <-ctx.Done():
		return kafka.TopicPartition{}, fmt.Errorf("waiting for delivery of %q: %w", value, ctx.Err())
	}
}

// consume reads messages from c until it has n of them.
func consume(ctx context.Context, c *kafka.Consumer, n int) ([]*kafka.Message, error) {
	var msgs []*kafka.Message
	for len(msgs) < n {
		if err := ctx.Err(); err != nil {
			return msgs, fmt.Errorf("consumed %d of %d messages: %w", len(msgs), n, err)
		}
		m, err := c.ReadMessage(100 * time.Millisecond)
		var kerr kafka.Error
		if errors.As(err, &kerr) && kerr.Code() == kafka.ErrTimedOut {
			continue
		}
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func TestProduceConsumeCommit(t *testing.T) {
	const topic, group, n = "emoji", "emoji-readers", 30
	b := kafkatest.NewBroker(t, kafkatest.WithBrokers(3), kafkatest.WithTopic(topic, 3))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	p := newProducer(t, b.Addr())
	for i := range n {
		if _, err := produce(ctx, p, topic, fmt.Sprint(i), fmt.Sprint("value-", i)); err != nil {
			t.Fatal(err)
		}
	}

	c := newConsumer(t, b.Addr(), group)
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := consume(ctx, c, n)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]bool)
	for _, m := range msgs {
		seen[string(m.Value)] = true
	}
	if len(seen) != n {
		t.Errorf("consumed %d distinct values, want %d", len(seen), n)
	}
	committed, err := c.Commit()
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, tp := range committed {
		sum += int64(tp.Offset)
	}
	if sum != n {
		t.Errorf("committed offsets sum to %d, want %d: %v", sum, n, committed)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// The broker holds the commits, so the group resumes after them.
	info := b.Cluster().GroupInfo(group)
	if info == nil || len(info.Commits[topic]) != 3 {
		t.Fatalf("broker has group %+v, want commits for 3 partitions", info)
	}
	if _, err := produce(ctx, p, topic, "last", "last"); err != nil {
		t.Fatal(err)
	}
	c = newConsumer(t, b.Addr(), group)
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err = consume(ctx, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(msgs[0].Value); got != "last" {
		t.Errorf("resumed group read %q, want %q", got, "last")
	}
}

func TestTransactions(t *testing.T) {
	const topic = "ledger"
	b := kafkatest.NewBroker(t, kafkatest.WithTopic(topic, 1))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	p := newProducer(t, b.Addr(), "transactional.id", "ledger-writer")
	if err := p.InitTransactions(ctx); err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{"aborted", "committed"} {
		if err := p.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		if _, err := produce(ctx, p, topic, "", value); err != nil {
			t.Fatal(err)
		}
		end := p.CommitTransaction
		if value == "aborted" {
			end = p.AbortTransaction
		}
		if err := end(ctx); err != nil {
			t.Fatalf("ending transaction of %q: %v", value, err)
		}
	}

	c := newConsumer(t, b.Addr(), "auditors", "isolation.level", "read_committed")
	if err := c.Subscribe(topic, nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := consume(ctx, c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(msgs[0].Value); got != "committed" {
		t.Errorf("read_committed consumer read %q, want %q", got, "committed")
	}
}

func TestSASLPlain(t *testing.T) {
	const topic = "secret"
	b := kafkatest.NewBroker(t, kafkatest.WithTopic(topic, 1), kafkatest.WithSASLPlain("alice", "s3cret"))
	sasl := func(pass string) []any {
		return []any{
			"security.protocol", "SASL_PLAINTEXT",
			"sasl.mechanisms", "PLAIN",
			"sasl.username", "alice",
			"sasl.password", pass,
		}
	}

	t.Run("right password", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		p := newProducer(t, b.Addr(), sasl("s3cret")...)
		if _, err := produce(ctx, p, topic, "k", "v"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		// librdkafka reports a failed authentication as an error event,
		// without any message to deliver.
		p := newProducer(t, b.Addr(), sasl("guess")...)
		for {
			select {
			case ev := <-p.Events():
				err, ok := ev.(kafka.Error)
				if ok && err.Code() == kafka.ErrAuthentication {
					return
				}
				t.Logf("ignoring event %v", ev)
			case <-ctx.Done():
				t.Fatalf("no authentication error event: %v", ctx.Err())
			}
		}
	})
}

func TestProduceRetriesFaults(t *testing.T) {
	t.Run("Fault", func(t *testing.T) {
		const topic = "flaky"
		b := kafkatest.NewBroker(t, kafkatest.WithTopic(topic, 1))
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()

		// Answer the first three produce requests with a retriable error.
		h := b.Cluster().Fault(kfake.Fault{
			Keys:  []kmsg.Key{kmsg.Produce},
			Err:   kerr.NotEnoughReplicas,
			Count: 3,
		})
		p := newProducer(t, b.Addr(), "retry.backoff.ms", 10)
		tp, err := produce(ctx, p, topic, "k", "v")
		if err != nil {
			t.Fatal(err)
		}
		if h.Hits() != 3 {
			t.Errorf("fault answered %d requests, want 3", h.Hits())
		}
		if tp.Offset != 0 {
			t.Errorf("delivered at offset %v, want 0", tp.Offset)
		}
	})

	t.Run("Control", func(t *testing.T) {
		const topic = "flaky"
		b := kafkatest.NewBroker(t, kafkatest.WithTopic(topic, 1))
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()

		// Drop the connection instead of answering the first two
		// produce requests.
		c := b.Cluster()
		var drops atomic.Int32
		c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
			// KeepControl lasts, so drop the control explicitly.
			c.KeepControl()
			if drops.Add(1) == 2 {
				c.DropControl()
			}
			return nil, errors.New("injected connection drop"), true
		})
		p := newProducer(t, b.Addr(),
			"retry.backoff.ms", 10,
			"reconnect.backoff.ms", 10,
			"reconnect.backoff.max.ms", 100,
		)
		tp, err := produce(ctx, p, topic, "k", "v")
		if err != nil {
			t.Fatal(err)
		}
		if n := drops.Load(); n != 2 {
			t.Errorf("control dropped %d requests, want 2", n)
		}
		if info := c.PartitionInfo(topic, 0); tp.Offset != 0 || info.HighWatermark != 1 {
			t.Errorf("delivered at offset %v with high watermark %d, want 0 and 1", tp.Offset, info.HighWatermark)
		}
	})
}
