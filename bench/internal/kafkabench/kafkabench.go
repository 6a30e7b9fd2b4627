// Package kafkabench holds the bodies of the benchmarks that compare
// slipstream's Kafka Topic with raw confluent-kafka-go clients, on one
// broker (package kafka/kafkatest) started once per process: in the
// process, or in a child process (see EnvBroker).
// The Benchmark functions of the bench module and the cmd/ratios program
// both run these, so the figures they print come from the same code.
//
// One op is one message of ValueSize bytes, without a key, in a topic of
// Partitions partitions. What a run sends or reads is made before the timer
// starts, and checked after it stops. The timer covers the steady state of
// a program that moves b.N messages, not the fixed costs of its Kafka
// client, which dwarf the messages at any b.N that go test's ramp tries
// first (joining a consumer group takes a few hundred milliseconds here,
// and closing any confluent-kafka-go client up to 100 ms):
//
//   - Produce: from the program's start, client creation included, to the
//     last delivery report; the client's close is not timed. slipstream:
//     source.Slice of b.N messages made beforehand, bound to a handler that
//     passes them on to a Topic sink, in an app: the way a slipstream
//     program sends in bulk, the messages handed to the producer without
//     waiting, in runs of up to streamio.BatchSize (the Topic is a
//     streamio.BatchSink), with backpressure, the app ending once every delivery report is in; the
//     timer stops when the app begins to close its resources (the source,
//     which it closes before the Topic). Against a
//     Producer.Produce loop with a goroutine reading the delivery reports,
//     with the librdkafka settings the Topic gives its producer.
//   - SendAsync: as Produce, but the slipstream side is the Topic alone, a
//     loop calling Topic.SendAsync on the messages with one done function
//     that counts acknowledgements: the Topic's own cost, without the app
//     around it.
//   - Consume: from the first message received to the b.N-th handled; the
//     group join before and the commit and close after are not timed.
//     slipstream: a Topic source bound to a handler in an app, tracked
//     (each offset stored for commit once the message is handled),
//     committed when the app stops, which the handler asks for at the b.N-th
//     message. Against a Consumer.Poll loop with auto-commit, with the
//     librdkafka settings the Topic gives its consumers
//     (kafka.ConsumerDefaults). Both read a topic filled beforehand, from
//     its beginning, in a consumer group of their own.
//   - TopicToTopic (slipstream only): the filled topic, through stream.Map,
//     into a Topic sink, at-least-once, from the first message received to
//     the b.N-th output acknowledged; it reports messages per second.
//
// To see the last delivery report of TopicToTopic, whose source is still
// open then, the slipstream side wraps its Topic sink in one that counts
// them: one closure per message more than a program would make, charged to
// slipstream.
//
// Each of Produce and Consume also has an interleaved form, which runs both
// sides in alternating runs of Chunk messages within one benchmark, so that
// both meet the same machine load: the ratios come from that one.
package kafkabench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

const (
	// ValueSize is the size of every message value, in bytes.
	ValueSize = 100
	// Partitions is the number of partitions of every topic.
	Partitions = 4
	// Chunk is the number of messages of one run of one side in the
	// interleaved benchmarks.
	Chunk = 50_000
	// runTimeout bounds one run, so that a stuck client fails the
	// benchmark instead of hanging it.
	runTimeout = 5 * time.Minute
)

// chunk is Chunk, lowered by the package's tests.
var chunk = Chunk

// The broker, started on first use.
var (
	brokerMu sync.Mutex
	current  broker
	filled   int // messages in the consume topic
	names    atomic.Int64
	values   = makeValues()
)

// inTopic is the topic that Consume and TopicToTopic read, filled as they
// need.
const inTopic = "consume"

// makeValues returns the values that messages cycle through.
func makeValues() [][]byte {
	vs := make([][]byte, 256)
	for i := range vs {
		v := fmt.Appendf(make([]byte, 0, ValueSize), "message %d: ", i)
		for len(v) < ValueSize {
			v = append(v, '.')
		}
		vs[i] = v
	}
	return vs
}

// theBroker returns the process's broker, starting it on first use.
func theBroker() (broker, error) {
	brokerMu.Lock()
	defer brokerMu.Unlock()
	if current == nil {
		b, err := startBroker()
		if err != nil {
			return nil, err
		}
		current, filled = b, 0
	}
	return current, nil
}

// Cleanup closes the broker, if it was started. Call it when the process is
// done benchmarking.
func Cleanup() {
	brokerMu.Lock()
	defer brokerMu.Unlock()
	if current != nil {
		current.close()
		current = nil
	}
}

// conf returns the configuration of a client of the broker.
func conf(b broker) kafka.ConfigMap {
	return kafka.ConfigMap{"bootstrap.servers": b.Addr(), "broker.address.family": "v4"}
}

// consumerConf returns the configuration of a consumer in a group of its
// own, reading from the beginning.
func consumerConf(b broker) kafka.ConfigMap {
	c := conf(b)
	c["group.id"] = fmt.Sprintf("bench-%d", names.Add(1))
	c["auto.offset.reset"] = "earliest"
	return c
}

// rawConf turns c into confluent-kafka-go's type, with extra added, and
// sends the client's log lines to a channel that the returned stop drains
// (and discards), as a Topic does with its own clients: librdkafka would
// otherwise print them on standard error. Call stop once the client is
// closed.
func rawConf(c kafka.ConfigMap, extra ckafka.ConfigMap) (_ *ckafka.ConfigMap, stop func()) {
	logs := make(chan ckafka.LogEvent, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range logs {
		}
	}()
	m := ckafka.ConfigMap{"go.logs.channel.enable": true, "go.logs.channel": logs}
	for k, v := range c {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return &m, func() { close(logs); <-done }
}

// newTopic creates a topic with a name no other run uses.
func newTopic(b broker, prefix string) (string, error) {
	name := fmt.Sprintf("%s-%d", prefix, names.Add(1))
	if err := b.createTopic(name, Partitions); err != nil {
		return "", fmt.Errorf("kafkabench: creating topic %s: %w", name, err)
	}
	return name, nil
}

// fill makes sure the consume topic holds at least n messages.
func fill(b broker, n int) error {
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

// A run is one run of one side. start moves the messages and returns once
// the program would end, its client closed; it calls began and ended where
// the timed part begins and ends. check, called after the run, checks the
// outcome and frees what the run used.
type run struct {
	start func(ctx context.Context, m *marks) error
	check func() error
}

// marks are the moments a run's timed part begins and ends, each a channel
// closed once.
type marks struct {
	began, ended chan struct{}
	b, e         sync.Once
}

func newMarks() *marks {
	return &marks{began: make(chan struct{}), ended: make(chan struct{})}
}

func (m *marks) begin() { m.b.Do(func() { close(m.began) }) }
func (m *marks) end()   { m.e.Do(func() { close(m.ended) }) }

// drive runs r on a new goroutine and calls begin and end, on the calling
// goroutine, as the run reaches its marks; it returns the run's error.
func drive(ctx context.Context, r *run, begin, end func()) error {
	m := newMarks()
	errc := make(chan error, 1)
	go func() { errc <- r.start(ctx, m) }()
	for _, mark := range []struct {
		ch chan struct{}
		f  func()
	}{{m.began, begin}, {m.ended, end}} {
		select {
		case <-mark.ch:
		case err := <-errc:
			select {
			case <-mark.ch: // reached as the run returned
				errc <- err
			default:
				if err == nil {
					err = errors.New("kafkabench: the run ended before its timed part did")
				}
				return err
			}
		}
		mark.f()
	}
	return <-errc
}

// A prepare makes what a run of n messages needs, outside the timer.
type prepare func(b broker, n int) (*run, error)

// A Comparison is one benchmark and its two sides.
type Comparison struct {
	Name       string // the Benchmark function's, without "Benchmark"
	slip, base prepare
}

// The comparisons, by Benchmark function. SendAsync compares the Topic
// alone, outside an app, with the same raw loop as Produce.
var (
	Produce   = Comparison{Name: "Produce", slip: prepareProduceSlipstream, base: prepareProduceConfluent}
	SendAsync = Comparison{Name: "SendAsync", slip: prepareSendAsync, base: prepareProduceConfluent}
	Consume   = Comparison{Name: "Consume", slip: prepareConsumeSlipstream, base: prepareConsumeConfluent}
)

// Comparisons lists them.
var Comparisons = []*Comparison{&Produce, &SendAsync, &Consume}

// Slipstream is the benchmark of the slipstream side.
func (c *Comparison) Slipstream(b *testing.B) { runSide(b, c.slip) }

// Confluent is the benchmark of the raw confluent-kafka-go side.
func (c *Comparison) Confluent(b *testing.B) { runSide(b, c.base) }

// TopicToTopic is the benchmark of consume → stream.Map → produce.
func TopicToTopic(b *testing.B) { runSide(b, prepareTopicToTopic) }

// runSide times one run of b.N messages and reports messages per second.
func runSide(b *testing.B, p prepare) {
	br, err := theBroker()
	if err != nil {
		b.Fatal(err)
	}
	r, err := p(br, b.N)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	err = drive(ctx, r, b.StartTimer, b.StopTimer)
	b.StopTimer()
	if cerr := r.check(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// Metric names that Interleaved reports.
const (
	SlipNsPerOp = "slipstream-ns/op" // time of one message of the slipstream side
	BaseNsPerOp = "confluent-ns/op"  // time of one message of confluent-kafka-go
)

// Interleaved moves b.N messages on each side, in alternating runs of
// Chunk messages, alternating which side goes first; one op is one message
// of each side. It reports each side's time per message (SlipNsPerOp,
// BaseNsPerOp) and the ratio of their throughputs, slipstream ÷
// confluent-kafka-go ("slipstream/confluent-throughput").
func (c *Comparison) Interleaved(b *testing.B) {
	br, err := theBroker()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.StopTimer()
	var tSlip, tBase time.Duration
	for from, i := 0, 0; from < b.N; from, i = from+chunk, i+1 {
		n := min(chunk, b.N-from)
		sides := []struct {
			p prepare
			t *time.Duration
		}{{c.slip, &tSlip}, {c.base, &tBase}}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, s := range sides {
			r, err := s.p(br, n)
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			var start time.Time
			err = drive(ctx, r, func() {
				b.StartTimer()
				start = time.Now()
			}, func() {
				*s.t += time.Since(start)
				b.StopTimer()
			})
			b.StopTimer()
			cancel()
			if cerr := r.check(); err == nil {
				err = cerr
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(tSlip.Nanoseconds())/n, SlipNsPerOp)
	b.ReportMetric(float64(tBase.Nanoseconds())/n, BaseNsPerOp)
	b.ReportMetric(float64(tBase)/float64(tSlip), "slipstream/confluent-throughput")
}

// Message returns message i of a run: no key, ValueSize bytes of value.
func Message(i int) kafka.Message[string, []byte] {
	return kafka.Message[string, []byte]{Value: values[i%len(values)]}
}

// Messages returns messages 0 to n-1.
func Messages(n int) []kafka.Message[string, []byte] {
	msgs := make([]kafka.Message[string, []byte], n)
	for i := range msgs {
		msgs[i] = Message(i)
	}
	return msgs
}

// An ackedTopic is a Topic sink that calls last once it has had n
// messages acknowledged. Embedding the Topic keeps what the app sees of it:
// a BatchSink, and a Closer that the app closes when it stops.
type ackedTopic struct {
	*kafka.Topic[string, []byte]
	left atomic.Int64
	last func()
}

func newAckedTopic(t *kafka.Topic[string, []byte], n int, last func()) *ackedTopic {
	a := &ackedTopic{Topic: t, last: last}
	a.left.Store(int64(n))
	return a
}

// SendAsync sends m through the Topic, counting its acknowledgement.
func (a *ackedTopic) SendAsync(ctx context.Context, m kafka.Message[string, []byte], done func(error)) error {
	return a.Topic.SendAsync(ctx, m, a.counted(done))
}

// SendBatch sends ms through the Topic, as the app does, counting their
// acknowledgements. Untracked outputs keep sharing one done function (nil
// in dones), so the Topic counts them in runs as it does without the
// wrapper.
func (a *ackedTopic) SendBatch(ctx context.Context, ms []kafka.Message[string, []byte], dones []func(error), untracked func(error)) error {
	counted := make([]func(error), len(dones))
	for i, done := range dones {
		if done != nil {
			counted[i] = a.counted(done)
		}
	}
	return a.Topic.SendBatch(ctx, ms, counted, a.counted(untracked))
}

// counted returns done, counting an acknowledgement before it returns.
func (a *ackedTopic) counted(done func(error)) func(error) {
	return func(err error) {
		done(err)
		if err == nil && a.left.Add(-1) == 0 {
			a.last()
		}
	}
}

// Send sends m through SendAsync, for the rare caller that uses a Sink's
// Send: the app uses SendAsync.
func (a *ackedTopic) Send(ctx context.Context, m kafka.Message[string, []byte]) error {
	errc := make(chan error, 1)
	if err := a.SendAsync(ctx, m, func(err error) { errc <- err }); err != nil {
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

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
	name, topic, msgs, err := produceTopic(b, "produce-slipstream", n)
	if err != nil {
		return nil, err
	}
	return &run{
		start: func(ctx context.Context, m *marks) error {
			app := stream.NewApp()
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

// producerSettings are the librdkafka settings that a Topic gives its
// producer (kafka/producer.go), beyond the user's configuration, so that
// the raw producer does the same work.
var producerSettings = ckafka.ConfigMap{
	"go.delivery.report.fields": "none",
	"go.events.channel.size":    10000,
	"go.produce.channel.size":   0,
}

// consumerSettings are the librdkafka settings that a Topic gives its
// consumers where the configuration does not set them
// (kafka.ConsumerDefaults), so that the raw consumer reads as a Topic does.
func consumerSettings() ckafka.ConfigMap {
	m := ckafka.ConfigMap{}
	for k, v := range kafka.ConsumerDefaults() {
		m[k] = v
	}
	return m
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

// prepareConsumeSlipstream binds the consume topic, as a source, to a
// handler that counts and stops the app at the n-th message; the run runs
// the app, which commits and closes the consumer when it stops.
func prepareConsumeSlipstream(b broker, n int) (*run, error) {
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
			app := stream.NewApp()
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

// prepareTopicToTopic binds the consume topic, through stream.Map, to a
// handler that passes each message on to a new topic, and stops the app at
// the n-th message; the run runs the app, which delivers what it read and
// commits when it stops. The check counts what reached the new topic.
func prepareTopicToTopic(b broker, n int) (*run, error) {
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
			app := stream.NewApp()
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
