package kafkatest_test

import (
	"fmt"
	"log"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

func ExampleStart() {
	b, err := kafkatest.Start(kafkatest.WithTopic("greetings", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	p, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":     b.Addr(),
		"broker.address.family": "v4",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	topic := "greetings"
	delivered := make(chan kafka.Event, 1)
	err = p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Value:          []byte("hello"),
	}, delivered)
	if err != nil {
		log.Fatal(err)
	}
	if m := (<-delivered).(*kafka.Message); m.TopicPartition.Error != nil {
		log.Fatal(m.TopicPartition.Error)
	}

	c, err := kafka.NewConsumer(&kafka.ConfigMap{
		"bootstrap.servers":     b.Addr(),
		"broker.address.family": "v4",
		"group.id":              "example",
		"auto.offset.reset":     "earliest",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Subscribe(topic, nil); err != nil {
		log.Fatal(err)
	}
	m, err := c.ReadMessage(10 * time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(m.Value))
	// Output: hello
}

func ExampleBroker_Cluster() {
	b, err := kafkatest.Start(kafkatest.WithTopic("flaky", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	// Fail the first two produce requests with a retriable error.
	h := b.Cluster().Fault(kfake.Fault{
		Keys:  []kmsg.Key{kmsg.Produce},
		Err:   kerr.NotEnoughReplicas,
		Count: 2,
	})

	p, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":     b.Addr(),
		"broker.address.family": "v4",
		"retry.backoff.ms":      10,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	topic := "flaky"
	delivered := make(chan kafka.Event, 1)
	err = p.Produce(&kafka.Message{
		TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny},
		Value:          []byte("eventually"),
	}, delivered)
	if err != nil {
		log.Fatal(err)
	}
	m := (<-delivered).(*kafka.Message)
	fmt.Println("delivered:", m.TopicPartition.Error == nil)
	fmt.Println("faults:", h.Hits())
	// Output:
	// delivered: true
	// faults: 2
}

func ExampleBootstrapOrStart() {
	// Use $KAFKA_BOOTSTRAP if set, or else an embedded broker.
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji", 3))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()

	p, err := kafka.NewProducer(&kafka.ConfigMap{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	// ...
}
