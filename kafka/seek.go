package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// seekTimeout bounds Seek when its context has no deadline.
const seekTimeout = 30 * time.Second

type seekRequest struct {
	off  Offset
	done chan error
}

// Seek moves the topic's running consumers to off: [Beginning], [End],
// [At] one offset in every partition, or [PerPartition]. It first waits
// for a consumer to be assigned partitions (at most until ctx is done, or
// 30 seconds when ctx has no deadline), then moves each consumer's assigned
// partitions that off names; partitions assigned to other members of the
// group are theirs to move.
//
// Offsets are checked against the partitions: an offset below a
// partition's first or beyond its last offset, or a partition the topic
// does not have, is an error, and nothing moves. Messages read but not yet
// handled from the partitions moved are dropped; messages already being
// handled finish. Seek does not commit: the next message handled from the
// new position is.
func (t *Topic[K, V]) Seek(ctx context.Context, off Offset) error {
	fail := func(err error) error { return fmt.Errorf("kafka: topic %s: seek to %v: %w", t.name, off, err) }
	if off.kind == offsetCommitted {
		return fail(errors.New("invalid offset: Seek takes Beginning, End, At or PerPartition"))
	}
	if err := off.check(); err != nil {
		return fail(err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, seekTimeout)
		defer cancel()
	}
	var ready []*consumer[K, V]
	for {
		t.mu.Lock()
		consumers, changed := t.consumers, t.changed
		t.mu.Unlock()
		for _, c := range consumers {
			if c.running() && len(c.offsets.assigned()) > 0 {
				ready = append(ready, c)
			}
		}
		if len(ready) > 0 {
			break
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fail(fmt.Errorf("waiting for partitions to be assigned: %w", context.Cause(ctx)))
		}
	}
	for _, c := range ready {
		if err := c.checkSeek(ctx, off); err != nil {
			return fail(err)
		}
	}
	for _, c := range ready {
		if err := c.requestSeek(ctx, off); err != nil {
			return fail(err)
		}
	}
	return nil
}

// checkSeek checks off against the partitions of the topic.
func (c *consumer[K, V]) checkSeek(ctx context.Context, off Offset) error {
	if err := checkPartitions(c.client, c.t.name, off); err != nil {
		return err
	}
	if off.kind != offsetAt && off.kind != offsetPartitions {
		return nil
	}
	parts := c.offsets.assigned()
	slices.SortFunc(parts, func(a, b ckafka.TopicPartition) int { return int(a.Partition - b.Partition) })
	if off.kind == offsetPartitions {
		// Also check partitions assigned to other members.
		for _, p := range slices.Sorted(maps.Keys(off.parts)) {
			if !slices.ContainsFunc(parts, func(tp ckafka.TopicPartition) bool { return tp.Partition == p }) {
				parts = append(parts, ckafka.TopicPartition{Partition: p})
			}
		}
	}
	for _, p := range parts {
		o, ok := off.forPartition(p.Partition)
		if !ok {
			continue
		}
		ms := 10000
		if d, ok := ctx.Deadline(); ok {
			ms = max(1, int(time.Until(d).Milliseconds()))
		}
		low, high, err := c.client.QueryWatermarkOffsets(c.t.name, p.Partition, ms)
		if err != nil {
			return fmt.Errorf("reading the offsets of partition %d: %w", p.Partition, err)
		}
		if int64(o) < low || int64(o) > high {
			return fmt.Errorf("invalid offset %d for partition %d: it holds offsets %d to %d", int64(o), p.Partition, low, high)
		}
	}
	return nil
}

// requestSeek has the poller's keeper seek, and waits for it.
func (c *consumer[K, V]) requestSeek(ctx context.Context, off Offset) error {
	r := &seekRequest{off: off, done: make(chan error, 1)}
	select {
	case c.poller.seeks <- r:
	case <-c.poller.polled:
		return errors.New("the consumer stopped")
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// seek moves the assigned partitions that off names. Each gets a new
// tracker; what was accepted from the old position is stored first.
func (p *poller) seek(off Offset) error {
	to := p.offsets.moveTo(off)
	p.dropPending(to)
	if len(to) == 0 {
		return nil
	}
	res, err := p.client.SeekPartitions(to)
	if err != nil {
		return err
	}
	for _, tp := range res {
		if tp.Error != nil {
			return fmt.Errorf("partition %d: %w", tp.Partition, tp.Error)
		}
	}
	p.logger.Debug("kafka: sought", "offset", off, "partitions", partitionList(to))
	return nil
}
