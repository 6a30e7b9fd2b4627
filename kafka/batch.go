package kafka

import (
	"context"
	"fmt"
	"sync"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// SendBatch sends the messages ms in order, as [Topic.SendAsync] sends one,
// and calls dones[i] once ms[i] is delivered or lost. It implements
// [streamio.BatchSink]: an app hands a Topic sink its outputs in runs, which
// costs less per message than one call each (see the README's Kafka
// benchmarks). ms and dones are only read during the call.
//
// It encodes every message before it sends any: its own error (encoding a
// message, or the producer failing) means that no message of ms was taken
// and no done is called. A message that librdkafka then refuses (its queue
// full until ctx is done, or the producer failing meanwhile) has its done,
// and those of the messages after it, called with the error before
// SendBatch returns. In dry mode (see [WithDryRun]) it only logs.
func (t *Topic[K, V]) SendBatch(ctx context.Context, ms []Message[K, V], dones []func(error), untracked func(error)) error {
	if len(ms) != len(dones) {
		return fmt.Errorf("kafka: topic %s: SendBatch of %d messages with %d done functions", t.name, len(ms), len(dones))
	}
	if t.dry {
		for i := range ms {
			t.SendAsync(ctx, ms[i], doneOf(dones, i, untracked)) // logs instead, and reports it sent
		}
		return nil
	}
	p, err := t.producer()
	if err != nil {
		return err
	}
	if err := p.err(); err != nil {
		return err
	}
	kms := getEncoded(len(ms))
	defer putEncoded(kms)
	for i := range ms {
		if err := t.encode(&ms[i], &kms.msgs[i]); err != nil {
			return err
		}
	}
	p.sendAll(ctx, kms.msgs, dones, untracked)
	return nil
}

// doneOf returns the done function of message i of a batch.
func doneOf(dones []func(error), i int, untracked func(error)) func(error) {
	if dones[i] == nil {
		return untracked
	}
	return dones[i]
}

// sendAll produces msgs, in order, counted into their epoch; from the first
// that librdkafka refuses on, each has its done called with the error.
func (p *producer) sendAll(ctx context.Context, msgs []ckafka.Message, dones []func(error), untracked func(error)) {
	first, counted := p.deliveries.addAll(dones, untracked)
	for i := range msgs {
		if i >= counted { // the epoch took no more: see deliveries
			msgs[i].Opaque = doneOf(dones, i, untracked)
		}
		if err := p.produce(ctx, &msgs[i]); err != nil {
			if i < counted {
				p.deliveries.withdrawAll(first+i, first+counted)
			}
			for j := i; j < len(dones); j++ {
				doneOf(dones, j, untracked)(err)
			}
			return
		}
	}
}

// encoded holds the librdkafka messages of a SendBatch: reused, since a
// run of them made on the heap for every call would cost the garbage
// collector more than the rest of the call.
type encoded struct{ msgs []ckafka.Message }

var encodedPool = sync.Pool{New: func() any { return new(encoded) }}

// getEncoded returns n zeroed messages.
func getEncoded(n int) *encoded {
	e := encodedPool.Get().(*encoded)
	if cap(e.msgs) < n {
		e.msgs = make([]ckafka.Message, n)
	}
	e.msgs = e.msgs[:n]
	return e
}

// putEncoded clears e, so that it keeps no message's bytes, and returns it
// to the pool.
func putEncoded(e *encoded) {
	clear(e.msgs)
	encodedPool.Put(e)
}
