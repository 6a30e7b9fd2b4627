package kafka

import (
	"context"
	"fmt"
	"strconv"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/stream"
)

// A BadInput policy says what a [Topic] does with a message its codecs
// cannot decode (see [WithBadInput]). In every case the message's offset is
// committed only once the policy has been carried out: never under
// [StopOnBadInput], at once under [SkipBadInput], and once the dead-letter
// topic has acknowledged the message under [DeadLetter].
type BadInput struct {
	kind  badKind
	topic string
}

type badKind uint8

const (
	badStop badKind = iota
	badSkip
	badDeadLetter
)

var (
	// StopOnBadInput fails the app with a [*DecodeError]: the default.
	// The message is not committed, so a restarted app meets it again.
	StopOnBadInput = BadInput{}
	// SkipBadInput logs a warning, counts the message (see
	// [Topic.Skipped]) and goes on.
	SkipBadInput = BadInput{kind: badSkip}
)

// DeadLetter sends each message that cannot be decoded, as it came (key,
// value, headers and timestamp), to the topic called name, adding headers
// that say why and where it came from:
//
//	slipstream.error      the decoding error
//	slipstream.topic      the topic it was read from
//	slipstream.partition  its partition, in decimal
//	slipstream.offset     its offset, in decimal
//
// The dead-letter producer uses the reading topic's configuration. If it
// fails to deliver, the app fails.
func DeadLetter(name string) BadInput { return BadInput{kind: badDeadLetter, topic: name} }

// String describes p: "stop", "skip" or "dead-letter to NAME".
func (p BadInput) String() string {
	switch p.kind {
	case badSkip:
		return "skip"
	case badDeadLetter:
		return "dead-letter to " + p.topic
	}
	return "stop"
}

// Header keys that [DeadLetter] and [Topic.DeadLetters] add.
const (
	HeaderError     = "slipstream.error"
	HeaderHandler   = "slipstream.handler" // Topic.DeadLetters only
	HeaderTopic     = "slipstream.topic"
	HeaderPartition = "slipstream.partition"
	HeaderOffset    = "slipstream.offset"
)

// failureHeaders returns headers followed by those that say why and where
// a message failed: the error; the handler, if one failed on it; and where
// it was read, if it was read from a topic.
func failureHeaders(headers []Header, err error, handler, topic string, partition int32, offset int64) []Header {
	out := make([]Header, 0, len(headers)+5)
	out = append(out, headers...)
	out = append(out, Header{Key: HeaderError, Value: []byte(err.Error())})
	if handler != "" {
		out = append(out, Header{Key: HeaderHandler, Value: []byte(handler)})
	}
	if topic != "" {
		out = append(out,
			Header{Key: HeaderTopic, Value: []byte(topic)},
			Header{Key: HeaderPartition, Value: strconv.AppendInt(nil, int64(partition), 10)},
			Header{Key: HeaderOffset, Value: strconv.AppendInt(nil, offset, 10)},
		)
	}
	return out
}

// A DecodeError reports a message that a [Topic]'s codec could not decode.
type DecodeError struct {
	Topic     string
	Partition int32
	Offset    int64
	Field     string // "key" or "value"
	Codec     string // the codec's name; see [codec.Name]
	Err       error
}

// Error says where the message is and why it cannot be decoded.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("kafka: topic %s partition %d offset %d: cannot decode %s with codec %s: %v",
		e.Topic, e.Partition, e.Offset, e.Field, e.Codec, e.Err)
}

// Unwrap returns the codec's error.
func (e *DecodeError) Unwrap() error { return e.Err }

// decode turns a librdkafka message into a Message. An absent key or value
// (a tombstone) decodes to the zero value without its codec. The key and
// value of km, copied out of librdkafka for this message alone, are handed
// over to the codecs (see zerocopy.Decoder): a []byte value is not copied
// again.
func (t *Topic[K, V]) decode(km *ckafka.Message) (Message[K, V], *DecodeError) {
	m := Message[K, V]{
		Headers:   km.Headers,
		Timestamp: km.Timestamp,
		Topic:     t.name,
		Partition: km.TopicPartition.Partition,
		Offset:    int64(km.TopicPartition.Offset),
	}
	if km.Key != nil {
		var err error
		if m.Key, err = t.decodeKey(km.Key); err != nil {
			return m, t.decodeError(km, "key", codec.Name(t.keyCodec), err)
		}
	}
	if km.Value != nil {
		var err error
		if m.Value, err = t.decodeValue(km.Value); err != nil {
			return m, t.decodeError(km, "value", codec.Name(t.valCodec), err)
		}
	}
	return m, nil
}

func (t *Topic[K, V]) decodeError(km *ckafka.Message, field, name string, err error) *DecodeError {
	return &DecodeError{
		Topic:     t.name,
		Partition: km.TopicPartition.Partition,
		Offset:    int64(km.TopicPartition.Offset),
		Field:     field,
		Codec:     name,
		Err:       err,
	}
}

// deadLetter returns the message km to send to the dead-letter topic.
func deadLetter(dlq string, km *ckafka.Message, err *DecodeError) *ckafka.Message {
	return &ckafka.Message{
		TopicPartition: ckafka.TopicPartition{Topic: &dlq, Partition: ckafka.PartitionAny},
		Key:            km.Key,
		Value:          km.Value,
		Headers:        failureHeaders(km.Headers, err, "", err.Topic, err.Partition, err.Offset),
		Timestamp:      km.Timestamp,
	}
}

// deadLetters returns the producer for the dead-letter topic, making it on
// first use.
func (t *Topic[K, V]) deadLetters() (*producer, error) {
	if t.eo != nil {
		return t.eo.tx.producer(context.Background())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dlq == nil {
		p, err := newProducer(t.bad.topic, t.conf, t.logger, nil, nil, nil)
		if err != nil {
			return nil, err
		}
		t.dlq = p
	}
	return t.dlq, nil
}

// badInput carries out the topic's bad-input policy for a message that
// cannot be decoded, accepting it once that is done.
func (c *consumer[K, V]) badInput(ctx context.Context, w *stream.Writer[Message[K, V]], f fetched, seq uint64, derr *DecodeError) error {
	switch c.t.bad.kind {
	case badSkip:
		c.t.skipped.Add(1)
		c.logger.Warn("kafka: skipped a message that cannot be decoded", "err", derr)
		f.tr.Accept(seq)
		return nil
	case badDeadLetter:
		p, err := c.t.deadLetters()
		if err != nil {
			return err
		}
		dl := deadLetter(c.t.bad.topic, f.m, derr)
		dl.Opaque = func(err error) {
			if err != nil {
				c.fail(fmt.Errorf("kafka: topic %s: dead-lettering partition %d offset %d to topic %s: %w",
					c.t.name, derr.Partition, derr.Offset, c.t.bad.topic, err))
				return
			}
			f.tr.Accept(seq)
		}
		c.logger.Warn("kafka: dead-lettering a message that cannot be decoded", "to", c.t.bad.topic, "err", derr)
		return p.produce(ctx, dl)
	default:
		// Stop after the messages before this one have been handled, as
		// far as they go: send them on and wait while they are accepted.
		if err := w.Flush(ctx); err != nil {
			return err
		}
		awaitPrefix(ctx, f.tr)
		return derr
	}
}

// awaitPrefix waits until every message written before the last one of
// tr's partition has been accepted, while they keep being accepted
// (settleIdle), or until ctx is done.
func awaitPrefix(ctx context.Context, tr *tracker) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	last, since := uint64(0), time.Now()
	for {
		waiting, moved := tr.inFlight()
		if waiting <= 1 {
			return
		}
		if moved != last {
			last, since = moved, time.Now()
		} else if time.Since(since) > settleIdle {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}
