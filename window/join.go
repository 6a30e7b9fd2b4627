package window

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// A Joined is a message of a stream with the value that a table holds for
// its key when the message is handled: absent if it holds none.
type Joined[K, V, W any] struct {
	Message kafka.Message[K, V]
	Value   mo.Option[W]
}

// heldWait is how long a stream–table join waits for the table to hold a
// message's partition (its restore, on another consumer, may still run).
const heldWait = 30 * time.Second

// JoinTable returns a handler that joins each message of topic with
// table's current value for the message's key, read from the table's shard
// of the message's partition: a stream–table join, a left join.
//
// The topic and the table's input must be co-partitioned: the same number
// of partitions, keys partitioned alike (the same producer partitioner),
// and read in one consumer group, so that the instance that reads a
// partition of the topic holds the table's shard of it: with several
// instances, give each its own client.id (the default) or name
// (group.instance.id); see [JoinStreams] for why. JoinTable fails if the partition counts differ. A partition of
// topic assigned to this instance is read once the table holds it (a
// warning is logged every 30 s while it waits); a message of a partition
// the table gives up meanwhile fails the handler with an error wrapping
// [state.ErrNotHeld] if the table does not hold it again within 30 s.
func JoinTable[K, V, W any](ctx context.Context, topic *kafka.Topic[K, V], table *state.Table[K, W]) (stream.Handler[kafka.Message[K, V], Joined[K, V, W]], error) {
	if err := copartitioned(ctx, topic, table.Changelog(), "the table's changelog"); err != nil {
		return stream.Handler[kafka.Message[K, V], Joined[K, V, W]]{}, fmt.Errorf("window: join of %s with table %s: %w", topic.Name(), table.Name(), err)
	}
	topic.Listen(tableHeld{table.Held, table.Name(), slog.Default()})
	join := func(ctx context.Context, m kafka.Message[K, V]) (Joined[K, V, W], error) {
		v, err := table.Get(m.Partition, m.Key)
		if errors.Is(err, state.ErrNotHeld) {
			v, err = getWhenHeld(ctx, table, m.Partition, m.Key)
		}
		if err != nil {
			return Joined[K, V, W]{}, fmt.Errorf("window: join of %s partition %d offset %d with table %s: %w", m.Topic, m.Partition, m.Offset, table.Name(), err)
		}
		return Joined[K, V, W]{Message: m, Value: v}, nil
	}
	return stream.FuncErr(join).Named("join " + topic.Name() + " with " + table.Name()), nil
}

// getWhenHeld reads k once table holds partition p, waiting up to heldWait.
func getWhenHeld[K, W any](ctx context.Context, table *state.Table[K, W], p int32, k K) (mo.Option[W], error) {
	if err := waitHeld(ctx, table.Held, p); err != nil {
		return mo.None[W](), err
	}
	return table.Get(p, k) // fails, saying which partitions it holds, if still not held
}

// A tableHeld is a [kafka.PartitionListener] of a topic joined with a
// table: it holds back each partition assigned to the topic's consumer
// until the table holds it too (restored by another consumer, that of the
// table's input), so that no message waits for the table while it is
// handled. Under exactly-once, a commit waits for the messages being
// handled, and meanwhile holds back the consumer that would bring the
// table's partition: such a wait would never end.
type tableHeld struct {
	held   func() []int32
	table  string
	logger *slog.Logger
}

func (h tableHeld) Assigned(ctx context.Context, ps []int32) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	warn := time.Now().Add(heldWait)
	for !holdsAll(h.held(), ps) {
		if time.Now().After(warn) {
			h.logger.Warn("window: partitions wait for the table to hold them: are the topics' partitions assigned alike? (give each instance its own client.id, the default, or name it with group.instance.id)", "table", h.table, "partitions", ps, "held", h.held())
			warn = time.Now().Add(heldWait)
		}
		select {
		case <-ctx.Done():
			return nil // revoked, or the consumer stops
		case <-tick.C:
		}
	}
	return nil
}

func (tableHeld) Revoked([]int32) {}

// holdsAll reports whether held holds every partition of ps.
func holdsAll(held, ps []int32) bool {
	for _, p := range ps {
		if !slices.Contains(held, p) {
			return false
		}
	}
	return true
}

// waitHeld waits until held lists partition p, up to heldWait, and then
// returns nil whether it does or not: the read or write that follows
// fails with [state.ErrNotHeld] and says which it holds. It fails only if
// ctx ends.
func waitHeld(ctx context.Context, held func() []int32, p int32) error {
	deadline := time.NewTimer(heldWait)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !slices.Contains(held(), p) {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-deadline.C:
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// copartitioned fails unless topic and the topic called other, which is
// what, have as many partitions.
func copartitioned[K, V any](ctx context.Context, topic *kafka.Topic[K, V], other, what string) error {
	t, err := kafka.NewTopicLike[[]byte, []byte](other, topic)
	if err != nil {
		return err
	}
	defer t.Close(ctx)
	n, err := topic.Partitions(ctx)
	if err != nil {
		return err
	}
	m, err := t.Partitions(ctx)
	if err != nil {
		return err
	}
	if n != m {
		return fmt.Errorf("topic %s has %d partitions and %s %s has %d: they must be co-partitioned", topic.Name(), n, what, other, m)
	}
	return nil
}
