package kafka

import (
	"context"
	"errors"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Feed reads the topic as one consumer of its group (group.id) and writes
// each message to w until ctx is done. It implements [stream.Source]; an app
// calls it, for each stream read from the topic.
//
// A message's offset is committed once every output derived from it has
// been accepted by its sinks (see the package's Delivery guarantees); a
// message that cannot be decoded is handled as [WithBadInput] says. While
// the stream is paused, the consumer pauses its partitions and keeps
// polling, so it stays in its group however long the pause lasts.
func (t *Topic[K, V]) Feed(ctx context.Context, w *stream.Writer[Message[K, V]]) error {
	return t.feed(ctx, w, nil)
}

// Partitioned reports that the topic shares its messages out among its
// concurrent Feeds by partition, each Feed a consumer of its group: true.
// It implements [streamio.Partitioned], so that a handler bound to the
// topic can run as several copies (see [stream.Handler.Parallel]).
func (t *Topic[K, V]) Partitioned() bool { return true }

// feed is Feed, calling started with the consumer once it exists.
func (t *Topic[K, V]) feed(ctx context.Context, w *stream.Writer[Message[K, V]], started func(*consumer[K, V])) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	c, err := t.newConsumer(ctx, cancel)
	if err != nil {
		return err
	}
	defer close(c.fed)
	if started != nil {
		started(c)
	}
	go c.poller.keep(ctx, func() bool { return streamio.Paused(w) })
	err = c.read(ctx, w)
	cancel(errFeedEnded)
	<-c.poller.polled
	c.poller.stop() // the stream reads no more: keep what was accepted
	return err
}

var (
	errFeedEnded   = errors.New("kafka: feed ended")
	errTopicClosed = errors.New("kafka: topic closed")
)

// read is the fetch loop: it has the poller poll the client and writes each
// message to w, until ctx is done.
func (c *consumer[K, V]) read(ctx context.Context, w *stream.Writer[Message[K, V]]) error {
	flushed := true // nothing was added since the last flush
	var batch []fetched
	for ctx.Err() == nil {
		if c.handoff != nil && !flushed {
			// A rebalance, inside the poll, waits for what was handled
			// of the partitions it takes (and, in exactly-once mode,
			// commits it): nothing handled may be held back then.
			flushed = true
			if err := w.Flush(ctx); err != nil {
				return err
			}
		}
		paused := streamio.Paused(w)
		batch = c.poller.next(paused, flushed, batch[:0])
		if len(batch) == 0 {
			if !flushed {
				// Nothing is ready: send what was added before waiting.
				flushed = true
				if err := w.Flush(ctx); err != nil {
					return err
				}
			}
			if paused {
				awaitResume(ctx, w)
			}
			continue
		}
		flushed = false
		for _, f := range batch {
			if err := c.deliver(ctx, w, f); err != nil {
				return err
			}
		}
		clear(batch)
	}
	return context.Cause(ctx)
}

// awaitResume waits up to pollWait for w's paused stream to resume: the
// consumer goes on polling at least that often, to stay in its group, and
// acts on a resume at once.
func awaitResume[T any](ctx context.Context, w *stream.Writer[T]) {
	ctx, cancel := context.WithTimeout(ctx, pollWait)
	defer cancel()
	_ = streamio.WaitResumed(ctx, w) // resumed, or time to poll again
}

// deliver decodes one message and writes it to w, tracked.
func (c *consumer[K, V]) deliver(ctx context.Context, w *stream.Writer[Message[K, V]], f fetched) error {
	// Wait out a pause before the staleness check: a seek during the pause
	// (a checkpoint's reprocessing) makes what was read before it stale.
	// The writer checks again (see streamio.Discarder) should the stream be
	// paused, and the partition sought, between here and the message's
	// hand-off. Before it waits, what was handled goes out (see
	// stream.Writer.Flush), so that it does not wait out the pause too.
	if streamio.Paused(w) {
		if err := w.Flush(ctx); err != nil {
			return err
		}
	}
	if err := streamio.WaitResumed(ctx, w); err != nil {
		return err
	}
	if c.handoff != nil {
		if err := c.enterHandoff(ctx, w); err != nil {
			return err
		}
		defer c.handoff.RUnlock()
	}
	if f.tr.isStale() {
		return nil // its partition was revoked or sought since it was read
	}
	c.obs.consumed(f.m.TopicPartition.Partition)
	m, derr := c.t.decode(f.m)
	seq := f.tr.push(int64(f.m.TopicPartition.Offset))
	if derr != nil {
		return c.badInput(ctx, w, f, seq, derr)
	}
	return streamio.AddTracked(ctx, w, m, f.tr, seq)
}

// enterHandoff waits until nothing stops the fetch loop (an exactly-once
// commit, a revoke: see consumer.handoff), first sending on what the
// stream holds, so that what waits for the loop can drain; the caller
// releases c.handoff once the message is handed on.
func (c *consumer[K, V]) enterHandoff(ctx context.Context, w *stream.Writer[Message[K, V]]) error {
	if !c.handoff.TryRLock() {
		if err := w.Flush(ctx); err != nil {
			return err
		}
		c.handoff.RLock()
	}
	if c.tx != nil {
		if err := c.tx.err(); err != nil {
			c.handoff.RUnlock()
			return err
		}
	}
	return nil
}
