package kafka

import (
	"context"
	"fmt"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A PartitionListener follows the partitions that the consumers of a
// [Topic] are given and give up as their group rebalances: a partitioned
// table (package state) restores a partition's state when it comes and
// lets it go when it leaves.
type PartitionListener interface {
	// Assigned is called with the partitions a consumer has been given,
	// on a goroutine of its own. None of their messages is read until it
	// returns, while the consumer goes on with the partitions it had.
	// ctx ends when the partitions are revoked meanwhile, or the consumer
	// stops. An error fails the consumer.
	Assigned(ctx context.Context, partitions []int32) error
	// Revoked is called with the partitions a consumer gives up, or has
	// lost, inside its poll, once a call of Assigned for them has
	// returned, and once the messages of theirs that were handled have
	// been accepted (10 s at most) and committed: no message of theirs
	// is handed to the app after it. (In exactly-once mode, the commit is
	// the transaction's.)
	Revoked(partitions []int32)
}

// Listen adds l to the listeners told of the partitions the topic's
// consumers are given and give up. Consumers made after Listen tell it.
func (t *Topic[K, V]) Listen(l PartitionListener) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.listeners = append(t.listeners, l)
}

func (t *Topic[K, V]) partitionListeners() []PartitionListener {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]PartitionListener(nil), t.listeners...)
}

// Partitions returns how many partitions the topic has, and 0 if it does
// not exist.
func (t *Topic[K, V]) Partitions(ctx context.Context) (int, error) {
	admin, err := t.admin()
	if err != nil {
		return 0, err
	}
	defer admin.Close()
	md, err := admin.GetMetadata(&t.name, false, timeoutMs(ctx))
	if err != nil {
		return 0, fmt.Errorf("kafka: topic %s: reading metadata: %w", t.name, err)
	}
	tm, ok := md.Topics[t.name]
	if !ok || tm.Error.Code() == ckafka.ErrUnknownTopicOrPart || tm.Error.Code() == ckafka.ErrUnknownTopic {
		return 0, nil
	}
	if tm.Error.Code() != ckafka.ErrNoError {
		return 0, fmt.Errorf("kafka: topic %s: reading metadata: %w", t.name, tm.Error)
	}
	return len(tm.Partitions), nil
}

// Create creates the topic with partitions partitions and the topic
// configuration config (such as "cleanup.policy": "compact"), with the
// brokers' default replication. A topic that exists already is left as it
// is: Create then returns nil, whatever its partitions and configuration.
func (t *Topic[K, V]) Create(ctx context.Context, partitions int, config map[string]string) error {
	admin, err := t.admin()
	if err != nil {
		return err
	}
	defer admin.Close()
	res, err := admin.CreateTopics(ctx, []ckafka.TopicSpecification{{
		Topic: t.name, NumPartitions: partitions, ReplicationFactor: -1, Config: config,
	}})
	if err != nil {
		return fmt.Errorf("kafka: topic %s: creating it: %w", t.name, err)
	}
	for _, r := range res {
		if c := r.Error.Code(); c != ckafka.ErrNoError && c != ckafka.ErrTopicAlreadyExists {
			return fmt.Errorf("kafka: topic %s: creating it: %w", t.name, r.Error)
		}
	}
	return nil
}

// admin returns an admin client with the topic's configuration.
func (t *Topic[K, V]) admin() (*ckafka.AdminClient, error) {
	a, err := ckafka.NewAdminClient(clientConfig(t.conf, scopeBoth, nil, ckafka.ConfigMap{"log_level": 3}))
	if err != nil {
		return nil, fmt.Errorf("kafka: topic %s: making an admin client: %w", t.name, err)
	}
	return a, nil
}

// timeoutMs returns how long a blocking client call may take: until ctx's
// deadline, or 10 s.
func timeoutMs(ctx context.Context) int {
	if d, ok := ctx.Deadline(); ok {
		return max(1, int(time.Until(d).Milliseconds()))
	}
	return 10_000
}

// Watermarks returns the first offset of partition p and the offset after
// its last message (the high watermark), as the broker has them now.
func (t *Topic[K, V]) Watermarks(ctx context.Context, p int32) (low, high int64, err error) {
	c, err := ckafka.NewConsumer(clientConfig(t.conf, scopeConsumer, nil, ckafka.ConfigMap{
		"group.id": "slipstream-reader", "log_level": 3, // required by the client; never joined
	}))
	if err != nil {
		return 0, 0, fmt.Errorf("kafka: topic %s: making a reader: %w", t.name, err)
	}
	defer c.Close()
	low, high, err = c.QueryWatermarkOffsets(t.name, p, timeoutMs(ctx))
	if err != nil {
		return 0, 0, fmt.Errorf("kafka: topic %s: partition %d: reading its offsets: %w", t.name, p, err)
	}
	return low, high, nil
}

// Lag returns, for each partition of the topic, how many messages the
// topic's consumer group has yet to commit: the partition's high watermark
// less the group's committed offset (the whole partition when the group
// has committed nothing there). It asks the brokers, so it counts what
// every member of the group has committed, in any process.
func (t *Topic[K, V]) Lag(ctx context.Context) (map[int32]int64, error) {
	if _, ok := t.conf["group.id"]; !ok {
		return nil, fmt.Errorf("kafka: topic %s: lag needs a group.id in the topic's configuration or in Conf", t.name)
	}
	n, err := t.Partitions(ctx)
	if err != nil {
		return nil, err
	}
	c, err := ckafka.NewConsumer(clientConfig(t.conf, scopeConsumer, nil, ckafka.ConfigMap{"log_level": 3}))
	if err != nil {
		return nil, fmt.Errorf("kafka: topic %s: making a reader: %w", t.name, err)
	}
	defer c.Close()
	tps := make([]ckafka.TopicPartition, n)
	for i := range tps {
		tps[i] = ckafka.TopicPartition{Topic: &t.name, Partition: int32(i)}
	}
	committed, err := c.Committed(tps, timeoutMs(ctx))
	if hasCode(err, ckafka.ErrGroupIDNotFound) {
		committed, err = tps, nil // a group that has not met yet has committed nothing
		for i := range committed {
			committed[i].Offset = ckafka.OffsetInvalid
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kafka: topic %s: reading committed offsets: %w", t.name, err)
	}
	lag := make(map[int32]int64, n)
	for _, tp := range committed {
		low, high, err := c.QueryWatermarkOffsets(t.name, tp.Partition, timeoutMs(ctx))
		if err != nil {
			return nil, fmt.Errorf("kafka: topic %s: partition %d: reading its offsets: %w", t.name, tp.Partition, err)
		}
		from := low
		if tp.Offset >= 0 {
			from = int64(tp.Offset)
		}
		lag[tp.Partition] = max(0, high-from)
	}
	return lag, nil
}
