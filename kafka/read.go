package kafka

import (
	"context"
	"fmt"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// ReadPartition reads partition p of the topic from offset from to its end
// as it is when ReadPartition starts, calling fn with each message in
// order, outside any consumer group (nothing is committed). It returns the
// offset to read next: that end, or where fn or reading failed. A from
// before the partition's first offset reads from that first offset. It
// is how a partitioned table restores its state from a changelog.
func (t *Topic[K, V]) ReadPartition(ctx context.Context, p int32, from int64, fn func(Message[K, V]) error) (next int64, err error) {
	// Often there is nothing to read: a table's shard restarted on its
	// own disk after a clean stop, a new changelog. A bare client says so
	// in a few milliseconds; closing the reader, whose log goroutine
	// confluent-kafka-go polls every 100 ms, often takes 100 ms.
	low, high, err := t.Watermarks(ctx, p)
	if err != nil {
		return from, err
	}
	if max(from, low) >= high {
		return max(from, low), nil
	}
	logs := startLogs(t.logger, "reader")
	defer logs.stop()
	extra := ckafka.ConfigMap{
		"group.id":                 "slipstream-reader", // required by the client; never joined
		"enable.auto.commit":       false,
		"enable.auto.offset.store": false,
		"enable.partition.eof":     true,
		"auto.offset.reset":        "earliest",
		// The read stops at a known end, and closing the reader waits for
		// the fetch in flight, which the broker holds at the end for this
		// long: 500 ms by default, per partition a table restores.
		"fetch.wait.max.ms":      10,
		"go.logs.channel.enable": true,
		"go.logs.channel":        logs.ch,
	}
	if t.eo != nil {
		// A table restored from its changelog must not read changes whose
		// transaction aborted, whatever the configuration says.
		extra["isolation.level"] = "read_committed"
	}
	c, err := ckafka.NewConsumer(clientConfig(t.conf, scopeConsumer, consumerDefaults, extra))
	if err != nil {
		return from, fmt.Errorf("kafka: topic %s: making a reader: %w", t.name, err)
	}
	defer c.Close()
	// Again, as this reader sees them: under read_committed the end is
	// the last stable offset.
	low, high, err = c.QueryWatermarkOffsets(t.name, p, timeoutMs(ctx))
	if err != nil {
		return from, fmt.Errorf("kafka: topic %s: partition %d: reading its offsets: %w", t.name, p, err)
	}
	from = max(from, low)
	if from >= high {
		return from, nil
	}
	if err := c.Assign([]ckafka.TopicPartition{{Topic: &t.name, Partition: p, Offset: ckafka.Offset(from)}}); err != nil {
		return from, fmt.Errorf("kafka: topic %s: partition %d: assigning it: %w", t.name, p, err)
	}
	next = from
	for next < high {
		if err := ctx.Err(); err != nil {
			return next, context.Cause(ctx)
		}
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			if e.TopicPartition.Error != nil {
				return next, fmt.Errorf("kafka: topic %s: partition %d: reading: %w", t.name, p, e.TopicPartition.Error)
			}
			m, derr := t.decode(e)
			if derr != nil {
				return next, derr
			}
			if err := fn(m); err != nil {
				return next, err
			}
			next = int64(e.TopicPartition.Offset) + 1
		case ckafka.PartitionEOF:
			// The end as the last fetch saw it: past transaction markers,
			// which hold no message, once it reaches high. An earlier
			// one (a fetch that returned nothing yet) says nothing.
			next = max(next, min(int64(e.Offset), high))
		case ckafka.Error:
			if err := clientFailure(t.name, "reader", e); err != nil {
				return next, err
			}
		}
	}
	return next, nil
}
