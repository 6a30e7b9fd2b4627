package kafkabench

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/stream"
)

// TopicToTopicModes compares consume → map → produce in exactly-once mode
// (at kafka.DefaultCommitInterval), at-least-once, and as a hand-written
// confluent-kafka-go loop that stores an input's offset for auto-commit
// only once its output's delivery report has come.
var TopicToTopicModes = Comparison{Name: "TopicToTopic", sides: []side{
	{"eos", prepareTopicToTopicEOS(kafka.DefaultCommitInterval)},
	{"alo", prepareTopicToTopic},
	{"raw", prepareTopicToTopicRaw},
}}

// prepareTopicToTopic binds the consume topic, through stream.Map, to a
// handler that passes each message on to a new topic, and stops the app at
// the n-th message; the run runs the app, which delivers what it read and
// commits when it stops. The timed part ends when the n-th output is
// delivered. The check counts what reached the new topic.
func prepareTopicToTopic(b broker, n int) (*run, error) {
	return prepareTopicToTopicWith(b, n, nil)
}

// prepareTopicToTopicEOS returns prepareTopicToTopic in exactly-once mode,
// committing every interval: the timed part then ends when the n-th
// output is delivered in its transaction, and includes the commits before.
func prepareTopicToTopicEOS(interval time.Duration) prepare {
	return func(b broker, n int) (*run, error) {
		return prepareTopicToTopicWith(b, n, &kafka.ExactlyOnceOptions{CommitInterval: interval, Logger: quiet})
	}
}

// TopicToTopicEOS returns the benchmark of the exactly-once side, at
// commit interval.
func TopicToTopicEOS(interval time.Duration) func(*testing.B) {
	c := Comparison{Name: "TopicToTopic-eos-" + interval.String(), sides: []side{{"eos", prepareTopicToTopicEOS(interval)}}}
	return c.Slipstream
}

// prepareTopicToTopicWith is prepareTopicToTopic, exactly-once if eoOpts
// is not nil, its app made with appOpts.
func prepareTopicToTopicWith(b broker, n int, eoOpts *kafka.ExactlyOnceOptions, appOpts ...stream.Option) (*run, error) {
	if err := fill(b, n); err != nil {
		return nil, err
	}
	outName, err := newTopic(b, "topic-to-topic")
	if err != nil {
		return nil, err
	}
	inConf := consumerConf(b)
	var opts []kafka.Option
	var eo *kafka.ExactlyOnce
	if eoOpts != nil {
		if eo, err = kafka.NewExactlyOnce(inConf, eoOpts); err != nil {
			return nil, err
		}
		opts = append(opts, kafka.WithExactlyOnce(eo))
	}
	in, err := kafka.NewTopic[string, []byte](inTopic, inConf, opts...)
	if err != nil {
		return nil, err
	}
	out, err := kafka.NewTopicLike[string, []byte](outName, in)
	if err != nil {
		return nil, err
	}
	seen := 0
	return &run{
		start: func(ctx context.Context, m *marks) error {
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			app := stream.NewApp(appOpts...)
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
			err := app.Run(ctx)
			if eo != nil {
				err = errors.Join(err, eo.Close(context.Background()))
			}
			return err
		},
		check: produced(b, outName, n),
	}, nil
}

// prepareTopicToTopicRaw is the hand-written loop: a consumer with
// auto-commit and enable.auto.offset.store off, and a producer with the
// settings a Topic gives its own. The loop polls a message and produces
// its output with the input's position as Opaque; a second goroutine
// reads the delivery reports, keeps each partition's highest delivered
// input offset and stores those offsets every 100 ms (and at the end),
// for librdkafka to commit. The timed part ends at the n-th delivery.
func prepareTopicToTopicRaw(b broker, n int) (*run, error) {
	if err := fill(b, n); err != nil {
		return nil, err
	}
	outName, err := newTopic(b, "topic-to-topic-raw")
	if err != nil {
		return nil, err
	}
	cc, pc := consumerConf(b), conf(b)
	return &run{
		start: func(ctx context.Context, m *marks) error {
			cm, stopConsumerLogs := rawConf(cc, consumerSettings())
			defer stopConsumerLogs()
			cm.SetKey("enable.auto.offset.store", false)
			c, err := ckafka.NewConsumer(cm)
			if err != nil {
				return err
			}
			defer c.Close()
			pm, stopProducerLogs := rawConf(pc, producerSettings)
			defer stopProducerLogs()
			p, err := ckafka.NewProducer(pm)
			if err != nil {
				return err
			}
			defer p.Close()
			if err := c.Subscribe(inTopic, nil); err != nil {
				return err
			}
			reports := make(chan error, 1)
			go func() { reports <- storeDelivered(c, p, n, m) }()
			if n == 0 {
				m.begin()
				m.end()
			}
			for seen := 0; seen < n && ctx.Err() == nil; {
				switch e := c.Poll(100).(type) {
				case *ckafka.Message:
					if e.TopicPartition.Error != nil {
						return e.TopicPartition.Error
					}
					if seen++; seen == 1 {
						m.begin()
					}
					out := &ckafka.Message{
						TopicPartition: ckafka.TopicPartition{Topic: &outName, Partition: ckafka.PartitionAny},
						Key:            e.Key,
						Value:          e.Value,
						Opaque:         e.TopicPartition,
					}
					for {
						err := p.Produce(out, nil)
						if err == nil {
							break
						}
						if kerr, ok := err.(ckafka.Error); !ok || kerr.Code() != ckafka.ErrQueueFull {
							return err
						}
						p.Flush(10)
					}
				case ckafka.Error:
					if e.IsFatal() {
						return e
					}
				}
			}
			return errors.Join(ctx.Err(), <-reports)
		},
		check: produced(b, outName, n),
	}, nil
}

// storeDelivered reads p's delivery reports until n have come, storing in
// c, every 100 ms and at the end, each partition's offset after its
// highest delivered input.
func storeDelivered(c *ckafka.Consumer, p *ckafka.Producer, n int, m *marks) error {
	next := map[int32]ckafka.TopicPartition{}
	store := func() error {
		if len(next) == 0 {
			return nil
		}
		tps := make([]ckafka.TopicPartition, 0, len(next))
		for _, tp := range next {
			tps = append(tps, tp)
		}
		clear(next)
		_, err := c.StoreOffsets(tps)
		return err
	}
	last := time.Now()
	for delivered := 0; delivered < n; {
		e, ok := (<-p.Events()).(*ckafka.Message)
		if !ok {
			continue
		}
		if e.TopicPartition.Error != nil {
			return fmt.Errorf("delivering: %w", e.TopicPartition.Error)
		}
		in := e.Opaque.(ckafka.TopicPartition)
		if in.Offset+1 > next[in.Partition].Offset {
			in.Offset++
			next[in.Partition] = in
		}
		if delivered++; delivered == n {
			m.end()
		}
		if time.Since(last) >= 100*time.Millisecond {
			last = time.Now()
			if err := store(); err != nil {
				return err
			}
		}
	}
	return store()
}
