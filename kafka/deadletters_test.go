package kafka_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

var errRejected = errors.New("rejected")

// deadLettering reads "orders" (a, b, c) with a handler that fails on b,
// under onerror.DeadLetter to topic "orders-dlq", until the handler has
// seen every message or the app fails; it returns the outputs, the
// group and Run's error.
func deadLettering(t *testing.T, ctx context.Context, b *kafkatest.Broker) ([]string, string, error) {
	raw := newTopic[string, string](t, "orders", testkit.KafkaConf(b.Addr()))
	for _, v := range []string{"a", "b", "c"} {
		if err := raw.Produce(ctx, "key-"+v, v, kafka.Header{Key: "origin", Value: []byte("test")}); err != nil {
			t.Fatal(err)
		}
	}
	conf := testkit.KafkaConf(b.Addr())
	orders := newTopic[string, string](t, "orders", conf)
	dlq := newTopic[string, string](t, "orders-dlq", testkit.KafkaConf(b.Addr()))

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	seen := map[string]bool{}
	h := stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		seen[m.Value] = true
		if len(seen) == 3 {
			stop() // drain: what was read is finished, dead letter included
		}
		if m.Value == "b" {
			return "", errRejected
		}
		return m.Value, nil
	}).Named("check")
	h = onerror.DeadLetter(onerror.Retry(h, onerror.Backoff{Attempts: 2, Initial: time.Millisecond}), dlq.DeadLetters())
	out := sink.Collect[string]()
	app := stream.NewApp()
	stream.Handle(app, orders, h, out)
	err := app.Run(runCtx)
	return out.Items(), conf["group.id"].(string), err
}

func TestHandlerDeadLettersToATopic(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b := newBroker(t, kafkatest.WithTopic("orders", 1), kafkatest.WithTopic("orders-dlq", 1))
	got, group, err := deadLettering(t, ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "a" || got[1] != "c" {
		t.Errorf("outputs %v, want [a c]", got)
	}
	if off := committed(b, group, "orders"); off[0] != 3 {
		t.Errorf("committed %v, want orders/0 at 3: the dead-lettered message too", off)
	}
	dl := collect(t, ctx, newTopic[string, string](t, "orders-dlq", testkit.KafkaConf(b.Addr())), 1)[0]
	if dl.Key != "key-b" || dl.Value != "b" {
		t.Errorf("dead letter %q %q, want the message as it came", dl.Key, dl.Value)
	}
	headers := map[string]string{}
	for _, h := range dl.Headers {
		headers[h.Key] = string(h.Value)
	}
	want := map[string]string{
		"origin":              "test",
		kafka.HeaderError:     "rejected",
		kafka.HeaderHandler:   "check",
		kafka.HeaderTopic:     "orders",
		kafka.HeaderPartition: "0",
		kafka.HeaderOffset:    "1",
	}
	for k, v := range want {
		if headers[k] != v {
			t.Errorf("dead letter header %s = %q, want %q (all: %q)", k, headers[k], v, headers)
		}
	}
}

func TestHandlerDeadLetterTopicThatFails(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b := newBroker(t, kafkatest.WithTopic("orders", 1), kafkatest.WithTopic("orders-dlq", 1))
	// The dead-letter topic refuses every message.
	b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "orders-dlq", Err: kerr.InvalidRecord, Count: -1})
	_, group, err := deadLettering(t, ctx, b)
	if !errors.Is(err, errRejected) || err == nil ||
		!containsAll(err.Error(), "handler check: dead-lettering to kafka topic orders-dlq failed", "the input had failed with: rejected") {
		t.Fatalf("Run returned %v, want an error naming both failures", err)
	}
	// c may have been handled, but b was never dead-lettered.
	if off := committed(b, group, "orders"); off[0] != 1 {
		t.Errorf("committed %v, want orders/0 at 1", off)
	}
}
