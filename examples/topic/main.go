// Topic: send two emoji to a Kafka topic, then read them back.
//
// It uses the Kafka cluster at $KAFKA_BOOTSTRAP, or else starts a broker
// in-process, so it runs with no setup.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji", 1))
	if err != nil {
		return err
	}
	defer stop()

	topic, err := kafka.NewTopic[string, string]("emoji", kafka.ConfigMap{
		"bootstrap.servers": addr,
		"auto.offset.reset": "earliest",
		"group.instance.id": "demo",
		"group.id":          "demo",
	})
	if err != nil {
		return err
	}
	defer topic.Close(ctx)

	if err := topic.Produce(ctx, "trophy", "🏆"); err != nil {
		return err
	}
	if err := topic.Produce(ctx, "fish", "🐟"); err != nil {
		return err
	}

	// The topic never ends: stop after the two messages sent. Each message
	// is committed once the loop body has run for it.
	read := 0
	for msg, err := range topic.Messages(ctx) {
		if err != nil {
			return err
		}
		fmt.Println(msg.Key, msg.Value)
		if read++; read == 2 {
			break
		}
	}
	return nil
}
