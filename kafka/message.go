package kafka

import (
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A Message is one Kafka record with its key and value decoded: what a
// [Topic] hands to its handlers as a source, and what it takes as a sink.
//
// As a source, a Topic fills every field. As a sink it sends Key, Value,
// Headers and, when it is not zero, Timestamp (so a message mapped from one
// topic to another keeps its event time); it ignores Topic, Partition and
// Offset, and lets the producer's partitioner choose the partition from the
// key. Use [NewMessage] to make one for sending.
type Message[K, V any] struct {
	Key       K
	Value     V
	Headers   []Header
	Timestamp time.Time // when the record was produced (or appended, per the topic's timestamp type)
	Topic     string
	Partition int32
	Offset    int64
}

// A Header is a Kafka record header: a key and an opaque value. It is
// confluent-kafka-go's type, so headers pass between this package and the
// client without a copy.
type Header = ckafka.Header

// NewMessage returns a message with key, value and headers, for sending to
// a [Topic]:
//
//	topic.Send(ctx, kafka.NewMessage("fish", "🐟"))
func NewMessage[K, V any](key K, value V, headers ...Header) Message[K, V] {
	return Message[K, V]{Key: key, Value: value, Headers: headers}
}
