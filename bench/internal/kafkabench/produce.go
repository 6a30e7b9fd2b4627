package kafkabench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// A markedSource is source.Slice that calls closing when the app starts
// to close its resources: once every handler has ended, which the one
// bound to a Topic does once the Topic has reported every message it took.
// The app closes a handler's sources before its sinks, so the Topic's close
// is not timed. Marking the end from the source keeps the Topic itself the
// sink: a wrapper around it would add a call and a copy to every message.
type markedSource struct {
	source.SliceSource[kafka.Message[string, []byte]]
	closing func()
}

// Close calls closing.
func (s *markedSource) Close(context.Context) error {
	s.closing()
	return nil
}

// prepareProduceSlipstream binds source.Slice of n messages to a handler
// that passes them to a Topic sink, in an app; the run runs the app, and
// its timed part ends when the app, every delivery report in, begins to
// close its resources.
func prepareProduceSlipstream(b broker, n int) (*run, error) {
	return produceSlipstream(b, n)
}

// produceSlipstream is prepareProduceSlipstream with the app's options.
func produceSlipstream(b broker, n int, opts ...stream.Option) (*run, error) {
	name, topic, msgs, err := produceTopic(b, "produce-slipstream", n)
	if err != nil {
		return nil, err
	}
	return &run{
		start: func(ctx context.Context, m *marks) error {
			app := stream.NewApp(opts...)
			src := &markedSource{SliceSource: source.Slice(msgs), closing: m.end}
			stream.Handle(app, src, stream.Func(pass), topic)
			m.begin()
			if n == 0 {
				m.end()
			}
			return app.Run(ctx) // which closes the topic, once every report is in
		},
		check: produced(b, name, n),
	}, nil
}

func pass(m kafka.Message[string, []byte]) kafka.Message[string, []byte] { return m }

// produceTopic makes what a slipstream side of n messages sends: a new
// topic, its Topic, and the messages.
func produceTopic(b broker, prefix string, n int) (string, *kafka.Topic[string, []byte], []kafka.Message[string, []byte], error) {
	name, err := newTopic(b, prefix)
	if err != nil {
		return "", nil, nil, err
	}
	topic, err := kafka.NewTopic[string, []byte](name, conf(b))
	if err != nil {
		return "", nil, nil, err
	}
	return name, topic, Messages(n), nil
}

// prepareSendAsync is the Topic alone: the run calls Topic.SendAsync on n
// messages made beforehand, in a loop, as the raw side calls Produce, with
// one done function that counts acknowledgements, and closes the topic.
func prepareSendAsync(b broker, n int) (*run, error) {
	name, topic, msgs, err := produceTopic(b, "sendasync", n)
	if err != nil {
		return nil, err
	}
	return &run{
		start: func(ctx context.Context, m *marks) error {
			var left atomic.Int64
			left.Store(int64(n))
			var failed atomic.Pointer[error]
			done := func(err error) {
				if err != nil {
					first := err // not &err: that would move every err to the heap
					failed.CompareAndSwap(nil, &first)
				}
				if left.Add(-1) == 0 {
					m.end()
				}
			}
			m.begin()
			if n == 0 {
				m.end()
			}
			for i := range msgs {
				if err := topic.SendAsync(ctx, msgs[i], done); err != nil {
					return errors.Join(err, topic.Close(ctx))
				}
			}
			select {
			case <-m.ended:
			case <-ctx.Done():
			}
			err := topic.Close(ctx)
			if f := failed.Load(); f != nil {
				err = errors.Join(*f, err)
			}
			return errors.Join(ctx.Err(), err)
		},
		check: produced(b, name, n),
	}, nil
}

// produced returns the check of a run that sent n messages to topic: they
// are all there. It deletes the topic, to free the broker's memory.
func produced(b broker, topic string, n int) func() error {
	return func() error {
		got, err := b.count(topic)
		err = errors.Join(err, b.deleteTopic(topic))
		if got < int64(n) {
			err = errors.Join(fmt.Errorf("kafkabench: topic %s holds %d messages, want %d", topic, got, n), err)
		}
		return err
	}
}

// prepareProduceConfluent is the raw loop: the run makes a producer with
// the settings a Topic gives its own, produces the values of n messages
// made beforehand, as the slipstream side's are, and waits for their
// delivery reports.
func prepareProduceConfluent(b broker, n int) (*run, error) {
	name, err := newTopic(b, "produce-confluent")
	if err != nil {
		return nil, err
	}
	msgs := Messages(n)
	return &run{
		start: func(ctx context.Context, m *marks) error { return produceRaw(ctx, b, name, msgs, m) },
		check: produced(b, name, n),
	}, nil
}

// produceRaw sends the values of msgs to topic with a raw producer and
// waits for every delivery report: Produce in a loop, a goroutine reading
// the reports and signalling room in the queue, as a careful hand-written
// producer does. It marks m, if not nil, when it starts and once every
// report is in.
func produceRaw(ctx context.Context, b broker, topic string, msgs []kafka.Message[string, []byte], m *marks) error {
	n := len(msgs)
	if m == nil {
		m = newMarks()
	}
	m.begin()
	cm, stopLogs := rawConf(conf(b), producerSettings)
	defer stopLogs()
	p, err := ckafka.NewProducer(cm)
	if err != nil {
		return err
	}
	defer p.Close()
	var (
		delivered = make(chan struct{})
		room      = make(chan struct{}, 1)
		failed    atomic.Pointer[error]
	)
	go func() {
		seen := 0
		for ev := range p.Events() {
			msg, ok := ev.(*ckafka.Message)
			if !ok {
				continue
			}
			if err := msg.TopicPartition.Error; err != nil {
				failed.CompareAndSwap(nil, &err)
			}
			if seen++; seen == n {
				m.end()
				close(delivered)
			}
			select {
			case room <- struct{}{}:
			default:
			}
		}
	}()
	tp := ckafka.TopicPartition{Topic: &topic, Partition: ckafka.PartitionAny}
	for i := range n {
		for {
			err := p.Produce(&ckafka.Message{TopicPartition: tp, Value: msgs[i].Value}, nil)
			if err == nil {
				break
			}
			var kerr ckafka.Error
			if !errors.As(err, &kerr) || kerr.Code() != ckafka.ErrQueueFull {
				return err
			}
			select {
			case <-room:
			case <-time.After(10 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if n == 0 {
		m.end()
		return nil
	}
	select {
	case <-delivered:
	case <-ctx.Done():
		return fmt.Errorf("kafkabench: waiting for delivery reports: %w", ctx.Err())
	}
	if err := failed.Load(); err != nil {
		return *err
	}
	return nil
}
