package kafka_test

import (
	"context"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role)) // a child process of a multi-process test
	}
	goleak.VerifyTestMain(m)
}

// newTopic makes a topic and closes it when the test ends.
func newTopic[K, V any](t testing.TB, name string, conf kafka.ConfigMap, opts ...kafka.Option) *kafka.Topic[K, V] {
	t.Helper()
	topic, err := kafka.NewTopic[K, V](name, conf, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := topic.Close(ctx); err != nil {
			t.Errorf("closing %v: %v", topic, err)
		}
	})
	return topic
}

// newBroker starts an in-process broker for the test.
func newBroker(t testing.TB, opts ...kafkatest.Option) *kafkatest.Broker {
	t.Helper()
	return kafkatest.NewBroker(t, opts...)
}
