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
	filled int          // messages in the consume topic, guarded by brokerMu
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
	n = max(n, backlog())
	brokerMu.Lock()
	defer brokerMu.Unlock()
	if n <= filled {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	if err := produceRaw(ctx, b, inTopic, Messages(n-filled), nil); err != nil {
		return fmt.Errorf("kafkabench: filling %s: %w", inTopic, err)
	}
	filled = n
	if got, err := b.count(inTopic); err != nil || got < int64(n) {
		return errors.Join(err, fmt.Errorf("kafkabench: filling %s: it holds %d messages, want %d", inTopic, got, n))
	}
	return nil
}
