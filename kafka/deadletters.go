package kafka

import (
	"context"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

// DeadLetters returns the topic as a dead-letter sink for a handler or a
// sink under a policy of package onerror:
//
//	h = onerror.DeadLetter(h, dlq.DeadLetters())
//
// Each message failed on is sent to the topic with its key, value, headers
// and timestamp (encoded again by this topic's codecs, so the topic's key
// and value types are those of the messages failed on), and with headers
// that say why and where, as [DeadLetter] adds for undecodable messages:
//
//	slipstream.error      the error
//	slipstream.handler    the handler's name
//	slipstream.topic      the topic it was read from (for a message read from Kafka)
//	slipstream.partition  its partition, in decimal
//	slipstream.offset     its offset, in decimal
//
// A message counts as dead-lettered on the broker's acknowledgement: only
// then is the input's offset committed. The app closes the topic when it
// stops.
func (t *Topic[K, V]) DeadLetters() stream.Sink[onerror.Failure[Message[K, V]]] {
	return deadLetters[K, V]{t}
}

// deadLetters is a Topic as a sink of failures (see Topic.DeadLetters).
// Two of one topic are equal, so that an app closes the topic once.
type deadLetters[K, V any] struct{ t *Topic[K, V] }

func (d deadLetters[K, V]) Send(ctx context.Context, f onerror.Failure[Message[K, V]]) error {
	return d.t.Send(ctx, deadLetterOf(f))
}

func (d deadLetters[K, V]) SendAsync(ctx context.Context, f onerror.Failure[Message[K, V]], done func(error)) error {
	return d.t.SendAsync(ctx, deadLetterOf(f), done)
}

func (d deadLetters[K, V]) Close(ctx context.Context) error { return d.t.Close(ctx) }

func (d deadLetters[K, V]) String() string { return d.t.String() }

// deadLetterOf returns the message to send for f: f's own, with headers
// that say why and where it failed.
func deadLetterOf[K, V any](f onerror.Failure[Message[K, V]]) Message[K, V] {
	m := f.Value
	m.Headers = failureHeaders(m.Headers, f.Err, f.Handler, m.Topic, m.Partition, m.Offset)
	return m
}
