package kafkabench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// inTopic is the topic that Consume and TopicToTopic read, filled as they
// need.
const inTopic = "consume"

var (
	// filled is the number of messages in each topic filled so far, by
	// name; guarded by brokerMu, emptied for each new broker.
	filled = map[string]int{}
	names  atomic.Int64 // for names of topics and groups that no other run uses
)

// newTopic creates a topic with a name no other run uses.
func newTopic(b broker, prefix string) (string, error) {
	name := fmt.Sprintf("%s-%d", prefix, names.Add(1))
	if err := b.createTopic(name, Partitions); err != nil {
		return "", fmt.Errorf("kafkabench: creating topic %s: %w", name, err)
	}
	return name, nil
}

// backlog is the fewest messages the consume topic holds: four runs of
// Consume, so that each run reads the beginning of it and stops well
// before its end, while librdkafka fetches ahead, as a consumer catching
// up on a backlog does. A run that reached the end would see the fetching
// stop early and its clients' CPU go to the handler alone, and whether it
// did would depend on which benchmarks ran before.
func backlog() int { return 4 * chunk }

// fill makes sure the consume topic holds at least n messages, and at
// least backlog.
func fill(b broker, n int) error {
	return fillTopic(b, inTopic, max(n, backlog()), func(ctx context.Context, _, n int) error {
		return produceRaw(ctx, b, inTopic, Messages(n), nil)
	})
}

// fillTopic makes sure topic, which exists, holds at least n messages:
// if it holds fewer, produce sends messages from to from+n-1 of it.
func fillTopic(b broker, topic string, n int, produce func(ctx context.Context, from, n int) error) error {
	brokerMu.Lock()
	defer brokerMu.Unlock()
	had := filled[topic]
	if n <= had {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	if err := produce(ctx, had, n-had); err != nil {
		return fmt.Errorf("kafkabench: filling %s: %w", topic, err)
	}
	filled[topic] = n
	if got, err := b.count(topic); err != nil || got < int64(n) {
		return errors.Join(err, fmt.Errorf("kafkabench: filling %s: it holds %d messages, want %d", topic, got, n))
	}
	return nil
}
