package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A rebalancer takes and gives up a consumer's partitions as its group
// rebalances. Its callback runs inside Poll, so on whoever polls.
type rebalancer struct {
	eo        *ExactlyOnce  // commits before partitions go; nil: at-least-once
	handoff   *sync.RWMutex // the consumer's (see consumer.handoff)
	announcer *announcer    // tells the topic's PartitionListeners
	client    *ckafka.Consumer
	topic     string
	start     Offset // where the first assignment starts (see WithOffset)
	started   bool   // the first assignment has been made
	offsets   *offsets
	poller    *poller
	fail      func(error) // ends Feed
	notify    func()      // wakes whoever waits for an assignment (Seek)
	logger    *slog.Logger
}

// rebalance is the consumer's rebalance callback.
func (r *rebalancer) rebalance(_ *ckafka.Consumer, ev ckafka.Event) error {
	switch e := ev.(type) {
	case ckafka.AssignedPartitions:
		r.assign(e.Partitions)
	case ckafka.RevokedPartitions:
		r.revoke(e.Partitions)
	}
	r.notify()
	return nil
}

// assign takes partitions given to the consumer, from the topic's start
// offset on the first assignment and from the committed offsets after.
func (r *rebalancer) assign(parts []ckafka.TopicPartition) {
	cooperative := r.client.GetRebalanceProtocol() == "COOPERATIVE"
	if !r.started {
		r.started = true
		if err := checkPartitions(r.client, r.topic, r.start); err != nil {
			r.fail(err)
		}
		for i := range parts {
			if off, ok := r.start.forPartition(parts[i].Partition); ok {
				parts[i].Offset = off
			}
		}
	}
	announce := len(r.announcer.listeners) > 0 && len(parts) > 0
	r.offsets.assign(parts, !cooperative, !announce)
	var err error
	if cooperative {
		err = r.client.IncrementalAssign(parts)
	} else {
		err = r.client.Assign(parts)
	}
	if err != nil {
		r.fail(fmt.Errorf("kafka: topic %s: assigning partitions: %w", r.topic, err))
		return
	}
	if (r.poller.paused || announce) && len(parts) > 0 {
		if err := r.client.Pause(parts); err != nil {
			r.logger.Warn("kafka: pausing partitions", "err", err)
		}
	}
	if announce {
		r.announcer.start(partitionList(parts))
	}
	r.logger.Debug("kafka: partitions assigned", "partitions", partitionList(parts))
}

// revoke gives up partitions, first committing what was accepted from them
// (see offsets.revoke).
func (r *rebalancer) revoke(parts []ckafka.TopicPartition) {
	lost := r.client.AssignmentLost()
	r.announcer.forget(partitionList(parts))
	if r.eo != nil {
		// Commit what was handled of them, outputs and offsets, and let
		// them go before any more of their messages is handled; then
		// their listeners (tables) let their state go.
		if testHookRevoking != nil {
			testHookRevoking()
		}
		ctx, cancel := context.WithTimeout(context.Background(), r.eo.tx.timeout)
		err := r.eo.commitThen(ctx, func() { r.offsets.revoke(parts, lost) })
		cancel()
		if err != nil {
			r.offsets.revoke(parts, lost)
			r.fail(err)
		}
		for _, l := range r.announcer.listeners {
			l.Revoked(partitionList(parts))
		}
	} else if r.handoff != nil {
		// Their listeners hold their state: let what was handled of them
		// reach it, and commit it, before the state goes; a message of
		// theirs handled after that is stale, and dropped.
		r.handoff.Lock()
		r.offsets.settle(parts)
		r.offsets.revoke(parts, lost)
		r.handoff.Unlock()
		for _, l := range r.announcer.listeners {
			l.Revoked(partitionList(parts))
		}
	} else {
		r.offsets.revoke(parts, lost)
	}
	r.poller.dropPending(parts)
	var err error
	if r.client.GetRebalanceProtocol() == "COOPERATIVE" {
		err = r.client.IncrementalUnassign(parts)
	} else {
		err = r.client.Unassign()
	}
	if err != nil {
		r.logger.Warn("kafka: unassigning partitions", "err", err)
	}
	r.logger.Debug("kafka: partitions revoked", "partitions", partitionList(parts), "lost", lost)
}

func partitionList(parts []ckafka.TopicPartition) []int32 {
	ps := make([]int32, len(parts))
	for i, p := range parts {
		ps[i] = p.Partition
	}
	return ps
}

// checkPartitions reports partitions of a PerPartition offset that the
// topic does not have.
func checkPartitions(client *ckafka.Consumer, topic string, off Offset) error {
	if off.kind != offsetPartitions {
		return nil
	}
	md, err := client.GetMetadata(&topic, false, 10000)
	if err != nil {
		return fmt.Errorf("kafka: topic %s: reading metadata: %w", topic, err)
	}
	tm, ok := md.Topics[topic]
	if !ok {
		return fmt.Errorf("kafka: topic %s: no metadata", topic)
	}
	have := make(map[int32]bool, len(tm.Partitions))
	for _, p := range tm.Partitions {
		have[p.ID] = true
	}
	for p := range off.parts {
		if !have[p] {
			return fmt.Errorf("kafka: topic %s: invalid offset: no partition %d (the topic has %d)", topic, p, len(tm.Partitions))
		}
	}
	return nil
}
