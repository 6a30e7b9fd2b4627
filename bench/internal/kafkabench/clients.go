package kafkabench

import (
	"fmt"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka"
)

// conf returns the configuration of a client of the broker.
func conf(b broker) kafka.ConfigMap {
	return kafka.ConfigMap{"bootstrap.servers": b.Addr(), "broker.address.family": "v4"}
}

// consumerConf returns the configuration of a consumer in a group of its
// own, reading from the beginning.
func consumerConf(b broker) kafka.ConfigMap {
	c := conf(b)
	c["group.id"] = fmt.Sprintf("bench-%d", names.Add(1))
	c["auto.offset.reset"] = "earliest"
	return c
}

// rawConf turns c into confluent-kafka-go's type, with extra added, and
// sends the client's log lines to a channel that the returned stop drains
// (and discards), as a Topic does with its own clients: librdkafka would
// otherwise print them on standard error. Call stop once the client is
// closed.
func rawConf(c kafka.ConfigMap, extra ckafka.ConfigMap) (_ *ckafka.ConfigMap, stop func()) {
	logs := make(chan ckafka.LogEvent, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range logs {
		}
	}()
	m := ckafka.ConfigMap{"go.logs.channel.enable": true, "go.logs.channel": logs}
	for k, v := range c {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return &m, func() { close(logs); <-done }
}

// producerSettings are the librdkafka settings that a Topic gives its
// producer (kafka/producer.go), beyond the user's configuration, and its
// defaults where the configuration does not set them
// (kafka.ProducerDefaults), so that the raw producer does the same work.
var producerSettings = func() ckafka.ConfigMap {
	m := ckafka.ConfigMap{
		"go.delivery.report.fields": "none",
		"go.events.channel.size":    10000,
		"go.produce.channel.size":   0,
	}
	for k, v := range kafka.ProducerDefaults() {
		m[k] = v
	}
	return m
}()

// consumerSettings are the librdkafka settings that a Topic gives its
// consumers where the configuration does not set them
// (kafka.ConsumerDefaults), so that the raw consumer reads as a Topic does.
func consumerSettings() ckafka.ConfigMap {
	m := ckafka.ConfigMap{}
	for k, v := range kafka.ConsumerDefaults() {
		m[k] = v
	}
	return m
}
