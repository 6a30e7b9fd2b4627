package kafka_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
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

// testConf returns the configuration of a client of the broker at addr, in
// a consumer group of its own, reading from the beginning, followed by the
// key-value pairs kv.
func testConf(addr string, kv ...any) kafka.ConfigMap {
	conf := kafka.ConfigMap{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
		"group.id":              uniqueName("group"),
		"auto.offset.reset":     "earliest",
	}
	for i := 0; i < len(kv); i += 2 {
		conf[kv[i].(string)] = kv[i+1]
	}
	return conf
}

var names atomic.Int64

// uniqueName returns a name no other test uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, names.Add(1))
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
