package kafka_test

import (
	"errors"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

func saslConf(addr, user, pass string) kafka.ConfigMap {
	// The Python original's names, as a ported configuration has them.
	return testkit.KafkaConf(addr,
		"security_protocol", "SASL_PLAINTEXT",
		"sasl_mechanism", "PLAIN",
		"sasl_plain_username", user,
		"sasl_plain_password", pass)
}

func TestSASLPlain(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("secret", 1), kafkatest.WithSASLPlain("alice", "right"))

	t.Run("RightPassword", func(t *testing.T) {
		ctx := testkit.Context(t, 60*time.Second)
		topic := newTopic[string, string](t, "secret", saslConf(b.Addr(), "alice", "right"))
		if err := topic.Produce(ctx, "k", "🔑"); err != nil {
			t.Fatal(err)
		}
		if m := collect(t, ctx, topic, 1); m[0].Value != "🔑" {
			t.Errorf("read %q", m[0].Value)
		}
	})

	t.Run("WrongPasswordProducing", func(t *testing.T) {
		ctx := testkit.Context(t, 60*time.Second)
		topic := newTopic[string, string](t, "secret", saslConf(b.Addr(), "alice", "wrong"))
		start := time.Now()
		err := topic.Produce(ctx, "k", "v")
		if err == nil || !containsAll(err.Error(), "topic secret", "authentication failed") {
			t.Fatalf("Produce = %v, want an authentication error naming the topic", err)
		}
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("the error took %v", d)
		}
		if containsAll(err.Error(), "wrong") {
			t.Errorf("the error shows the password: %v", err)
		}
		// Later sends fail at once.
		if err := topic.Produce(ctx, "k", "v"); err == nil {
			t.Error("a second send succeeded")
		}
	})

	t.Run("WrongPasswordReading", func(t *testing.T) {
		ctx := testkit.Context(t, 60*time.Second)
		topic := newTopic[string, string](t, "secret", saslConf(b.Addr(), "alice", "wrong"))
		app := stream.NewApp()
		stream.Handle(app, topic, stream.Do(func(kafka.Message[string, string]) {}))
		start := time.Now()
		err := app.Run(ctx)
		if err == nil || !containsAll(err.Error(), "topic secret", "authentication failed") {
			t.Fatalf("Run = %v, want an authentication error naming the topic", err)
		}
		if errors.Is(err, ctx.Err()) || time.Since(start) > 15*time.Second {
			t.Errorf("the error took %v", time.Since(start))
		}
	})
}
