package kafka

import (
	"context"
	"sync"
	"sync/atomic"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// burstSize is how many messages [Topic.SendBuffered] holds before it hands
// them to librdkafka.
const burstSize = 32

// held are the messages SendBuffered encoded and holds for the producer,
// with their done functions.
type held struct {
	mu      sync.Mutex
	holding atomic.Bool // msgs is not empty: read by senders without mu
	msgs    []ckafka.Message
	done    []func(error)
}

// SendBuffered is [Topic.SendAsync] for a caller that calls
// [Topic.FlushBuffered] whenever it stops sending for a moment, as an app
// does: it encodes m and holds it, and hands librdkafka what it holds in
// bursts of 32 messages. Handing messages over in bursts rather than one
// by one, between other work, keeps the code and data of each warm in the
// cache, and costs less per message (see the README's Kafka benchmarks).
// It implements [stream.BufferedSink].
//
// Its own error (encoding, or the producer failing) means m was not taken
// and done is not called; a message held and then refused by librdkafka
// (its queue full until ctx was done, or the producer failed) has done
// called with the error, from the SendBuffered, FlushBuffered, SendAsync,
// Send or Close that was handing it over, while it holds the Topic's
// buffer: done must not send to the same Topic. (An app's done functions
// only count and record.)
func (t *Topic[K, V]) SendBuffered(ctx context.Context, m Message[K, V], done func(error)) error {
	if t.dry {
		return t.SendAsync(ctx, m, done)
	}
	p, err := t.producer()
	if err != nil {
		return err
	}
	if err := p.err(); err != nil {
		return err
	}
	h := &p.held
	h.mu.Lock()
	i := len(h.msgs)
	h.msgs = append(h.msgs, ckafka.Message{})
	if err := t.encode(&m, &h.msgs[i]); err != nil {
		h.msgs = h.msgs[:i]
		h.mu.Unlock()
		return err
	}
	h.done = append(h.done, done)
	if i == 0 {
		h.holding.Store(true)
	}
	if len(h.msgs) >= burstSize {
		p.sendHeld(ctx)
	}
	h.mu.Unlock()
	return nil
}

// FlushBuffered hands librdkafka the messages [Topic.SendBuffered] holds.
// It does not wait for their delivery. It implements
// [stream.BufferedSink]: the app calls it when the handler's source is
// about to wait, and when the handler ends.
func (t *Topic[K, V]) FlushBuffered(ctx context.Context) error {
	if p := t.prod.Load(); p != nil {
		p.flushHeld(ctx)
	}
	return nil
}

// flushHeld hands librdkafka the messages held, if any.
func (p *producer) flushHeld(ctx context.Context) {
	if !p.held.holding.Load() {
		return
	}
	p.held.mu.Lock()
	p.sendHeld(ctx)
	p.held.mu.Unlock()
}

// sendHeld hands librdkafka the messages held, in order, with p.held.mu
// held, counting them in p.deliveries at once. A message it refuses, and
// every one after it, have their done functions called with the error:
// their sender was told they were taken.
func (p *producer) sendHeld(ctx context.Context) {
	h := &p.held
	first, counted := p.deliveries.addAll(h.done)
	for i := range h.msgs {
		if i >= counted { // the epoch took no more: see deliveries
			h.msgs[i].Opaque = h.done[i]
		}
		if err := p.produce(ctx, &h.msgs[i]); err != nil {
			if i < counted {
				p.deliveries.withdrawAll(first+i, first+counted)
			}
			for _, done := range h.done[i:] {
				done(err)
			}
			break
		}
	}
	clear(h.msgs)
	clear(h.done)
	h.msgs, h.done = h.msgs[:0], h.done[:0]
	h.holding.Store(false)
}
