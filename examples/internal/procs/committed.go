package procs

import (
	"context"
	"errors"
	"fmt"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka"
)

// Committed returns how many messages of topic its group has committed:
// the sum over its partitions of the committed offsets (the high
// watermark less the lag), which counts the messages of a topic written
// without transactions.
func Committed(ctx context.Context, topic *kafka.Topic[string, string]) (int64, error) {
	lag, err := topic.Lag(ctx)
	var kerr ckafka.Error
	if errors.As(err, &kerr) && kerr.Code() == ckafka.ErrGroupIDNotFound {
		return 0, nil // nothing committed yet
	}
	if err != nil {
		return 0, err
	}
	var committed int64
	for p, behind := range lag {
		_, high, err := topic.Watermarks(ctx, p)
		if err != nil {
			return 0, err
		}
		committed += high - behind
	}
	return committed, nil
}

// WaitCommitted waits until topic's group has committed n messages or
// more, looking every 50 ms.
func WaitCommitted(ctx context.Context, topic *kafka.Topic[string, string], n int64) error {
	for {
		committed, err := Committed(ctx, topic)
		if err != nil {
			return err
		}
		if committed >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the group to commit %d messages (it has %d): %w", n, committed, context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
}
