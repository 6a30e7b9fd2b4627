// Codec: send a value through the JSON codec and read it back.
//
// It uses the Kafka cluster at $KAFKA_BOOTSTRAP, or else starts a broker
// in-process, so it runs with no setup.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji-json", 1))
	if err != nil {
		return err
	}
	defer stop()

	topic, err := kafka.NewTopic[string, map[string]any]("emoji-json", kafka.ConfigMap{
		"bootstrap.servers": addr,
		"auto.offset.reset": "earliest",
		"group.instance.id": "demo",
		"group.id":          "demo",
	}, kafka.WithValueCodec(codec.JSON[map[string]any]()))
	if err != nil {
		return err
	}
	defer topic.Close(ctx)

	if err := topic.Produce(ctx, "fish", map[string]any{"msg": "🐟"}); err != nil {
		return err
	}

	for msg, err := range topic.Messages(ctx) {
		if err != nil {
			return err
		}
		fmt.Println(msg.Value)
		break // the topic never ends: stop after the message sent
	}
	return nil
}
