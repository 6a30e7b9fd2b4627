package kafkabench

import (
	"context"
	"errors"
	"fmt"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/stream"
)

// prepareConsumeSlipstream binds the consume topic, as a source, to a
// handler that counts and stops the app at the n-th message; the run runs
// the app, which commits and closes the consumer when it stops.
func prepareConsumeSlipstream(b broker, n int) (*run, error) {
	return consumeSlipstream(b, n)
}

// consumeSlipstream is prepareConsumeSlipstream with the app's options.
func consumeSlipstream(b broker, n int, opts ...stream.Option) (*run, error) {
	if err := fill(b, n); err != nil {
		return nil, err
	}
	topic, err := kafka.NewTopic[string, []byte](inTopic, consumerConf(b))
	if err != nil {
		return nil, err
	}
	seen := 0
	return &run{
		start: func(ctx context.Context, m *marks) error {
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			app := stream.NewApp(opts...)
			stream.Handle(app, topic, stream.Do(func(msg kafka.Message[string, []byte]) {
				if len(msg.Value) != ValueSize {
					return // and the check fails
				}
				if seen++; seen == 1 {
					m.begin()
				}
				if seen == n {
					m.end()
					stop()
				}
			}))
			if n == 0 {
				m.begin()
				m.end()
				stop()
			}
			return app.Run(ctx)
		},
		check: saw(&seen, n),
	}, nil
}

// saw returns the check of a consume run: it saw n messages of ValueSize
// bytes, counted in *seen.
func saw(seen *int, n int) func() error {
	return func() error {
		if *seen < n {
			return fmt.Errorf("kafkabench: read %d messages of %d bytes, want %d", *seen, ValueSize, n)
		}
		return nil
	}
}

// prepareConsumeConfluent is the raw loop: the run makes a consumer with
// auto-commit, subscribes, polls until it has n messages, and closes it,
// which commits.
func prepareConsumeConfluent(b broker, n int) (*run, error) {
	if err := fill(b, n); err != nil {
		return nil, err
	}
	cc := consumerConf(b)
	seen := 0
	return &run{
		start: func(ctx context.Context, m *marks) error {
			cm, stopLogs := rawConf(cc, consumerSettings())
			defer stopLogs()
			c, err := ckafka.NewConsumer(cm)
			if err != nil {
				return err
			}
			if err := c.Subscribe(inTopic, nil); err != nil {
				c.Close()
				return err
			}
			if n == 0 {
				m.begin()
				m.end()
			}
			for seen < n && ctx.Err() == nil {
				switch e := c.Poll(100).(type) {
				case *ckafka.Message:
					if e.TopicPartition.Error != nil {
						c.Close()
						return e.TopicPartition.Error
					}
					if len(e.Value) != ValueSize {
						continue // and the check fails
					}
					if seen++; seen == 1 {
						m.begin()
					}
					if seen == n {
						m.end()
					}
				case ckafka.Error:
					if e.IsFatal() {
						c.Close()
						return e
					}
				}
			}
			return errors.Join(ctx.Err(), c.Close())
		},
		check: saw(&seen, n),
	}, nil
}
