package kafkabench

import (
	"context"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/stream"
)

// prepareTopicToTopic binds the consume topic, through stream.Map, to a
// handler that passes each message on to a new topic, and stops the app at
// the n-th message; the run runs the app, which delivers what it read and
// commits when it stops. The check counts what reached the new topic.
func prepareTopicToTopic(b broker, n int) (*run, error) {
	return topicToTopic(b, n)
}

// topicToTopic is prepareTopicToTopic with the app's options.
func topicToTopic(b broker, n int, opts ...stream.Option) (*run, error) {
	if err := fill(b, n); err != nil {
		return nil, err
	}
	outName, err := newTopic(b, "topic-to-topic")
	if err != nil {
		return nil, err
	}
	in, err := kafka.NewTopic[string, []byte](inTopic, consumerConf(b))
	if err != nil {
		return nil, err
	}
	out, err := kafka.NewTopic[string, []byte](outName, conf(b))
	if err != nil {
		return nil, err
	}
	seen := 0
	return &run{
		start: func(ctx context.Context, m *marks) error {
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			app := stream.NewApp(opts...)
			mapped := stream.Map(in, func(msg kafka.Message[string, []byte]) kafka.Message[string, []byte] {
				return kafka.NewMessage(msg.Key, msg.Value)
			})
			stream.Handle(app, mapped, stream.Func(func(msg kafka.Message[string, []byte]) kafka.Message[string, []byte] {
				if seen++; seen == 1 {
					m.begin()
				}
				if seen == n {
					stop() // the app drains: what was read still reaches out
				}
				return msg
			}), newAckedTopic(out, n, m.end))
			if n == 0 {
				m.begin()
				m.end()
				stop()
			}
			return app.Run(ctx)
		},
		check: produced(b, outName, n),
	}, nil
}
