package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/codec"
)

// SendAsync encodes m, hands it to the topic's producer and returns. done
// runs, possibly on another goroutine, once the broker has acknowledged m
// and the messages sent before it (nil), or the producer has given up on
// one of them (an error naming the topic): see the epochs of the package's
// Delivery guarantees. It implements [streamio.AsyncSink].
//
// SendAsync waits while the producer's queue is full, or until ctx is done.
// Its own error means m was not taken and done will not run. In dry mode
// (see [WithDryRun]) it only logs.
func (t *Topic[K, V]) SendAsync(ctx context.Context, m Message[K, V], done func(error)) error {
	if t.dry {
		t.logger.Info("skipped sending message to " + t.name)
		done(nil)
		return nil
	}
	var km ckafka.Message // on the stack: librdkafka copies what it needs
	p, err := t.prepare(&m, &km)
	if err != nil {
		return err
	}
	return p.send(ctx, &km, done)
}

// Send sends m and waits for the broker to acknowledge it, or for ctx to
// be done. It implements [stream.Sink]. Unlike [Topic.SendAsync], it waits
// for m's own delivery report, not for its epoch's.
func (t *Topic[K, V]) Send(ctx context.Context, m Message[K, V]) error {
	if t.dry {
		t.logger.Info("skipped sending message to " + t.name)
		return nil
	}
	var km ckafka.Message
	p, err := t.prepare(&m, &km)
	if err != nil {
		return err
	}
	ch := make(chan error, 1)
	km.Opaque = func(err error) { ch <- err }
	if err := p.produce(ctx, &km); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return fmt.Errorf("kafka: topic %s: waiting for delivery: %w", t.name, context.Cause(ctx))
	}
}

// Produce sends a message with key, value and headers and waits for the
// broker to acknowledge it. Outside an app, call [Topic.Close] when done
// sending.
func (t *Topic[K, V]) Produce(ctx context.Context, key K, value V, headers ...Header) error {
	return t.Send(ctx, Message[K, V]{Key: key, Value: value, Headers: headers})
}

// encode turns *m into km, a librdkafka message for the topic, setting
// the fields it uses on a km the caller zeroed. An empty key is sent as no
// key, so that the partitioner spreads keyless messages. Key and value may
// be views of m's own (see zerocopy.Encoder): librdkafka copies them.
// km is the caller's, so that it can live on the caller's stack: a message
// made on the heap for each send would cost the garbage collector more
// than the rest of the send.
func (t *Topic[K, V]) encode(m *Message[K, V], km *ckafka.Message) error {
	k, err := t.encodeKey(m.Key)
	if err != nil {
		return fmt.Errorf("kafka: topic %s: encoding key with codec %s: %w", t.name, codec.Name(t.keyCodec), err)
	}
	if len(k) > 0 {
		km.Key = k
	}
	if km.Value, err = t.encodeValue(m.Value); err != nil {
		return fmt.Errorf("kafka: topic %s: encoding value with codec %s: %w", t.name, codec.Name(t.valCodec), err)
	}
	km.TopicPartition.Topic = &t.name
	km.TopicPartition.Partition = ckafka.PartitionAny
	if t.ownPart {
		km.TopicPartition.Partition = m.Partition
	}
	km.Headers = m.Headers
	km.Timestamp = m.Timestamp
	return nil
}

// prepare encodes *m into km and returns the topic's producer.
func (t *Topic[K, V]) prepare(m *Message[K, V], km *ckafka.Message) (*producer, error) {
	if err := t.encode(m, km); err != nil {
		return nil, err
	}
	return t.producer()
}

// producer returns the topic's producer, making it on first use.
func (t *Topic[K, V]) producer() (*producer, error) {
	if p := t.prod.Load(); p != nil {
		return p, nil
	}
	if t.eo != nil {
		return t.eo.tx.producer(context.Background())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.prod.Load(); p != nil {
		return p, nil
	}
	p, err := newProducer(t.name, t.conf, t.logger, nil, &t.metrics, nil)
	if err != nil {
		return nil, err
	}
	t.prod.Store(p)
	return p, nil
}

// A producer is one librdkafka producer and the goroutine that reads its
// delivery reports and calls the done functions of the messages. A message
// sent with a function as its Opaque has that function called with its own
// report; the others are counted in deliveries.
type producer struct {
	topic      string
	p          *ckafka.Producer
	logs       *logPump
	logger     *slog.Logger
	deliveries *deliveries
	done       chan struct{} // closed when the delivery reports have ended
	room       chan struct{} // signalled after delivery reports: the queue has room

	fatal atomic.Pointer[error] // set when the producer cannot go on: sends fail at once
	tx    *transaction          // the ExactlyOnce transactions it sends in; nil if none

	metrics *topicMetrics // counts delivery reports and reads statistics; nil: none
	// metricsOf, if not nil, returns what counts the delivery reports of
	// a topic: a transactional producer sends to every topic of its group.
	metricsOf func(topic string) *topicMetrics
}

// newProducer makes the producer of topic, configured with conf and, over
// it, extra; m, if not nil, counts its delivery reports and, if the topic
// is instrumented, reads its statistics; metricsOf, if not nil, counts
// each report in the metrics of the report's topic instead.
func newProducer(topic string, conf ConfigMap, logger *slog.Logger, extra ckafka.ConfigMap, m *topicMetrics, metricsOf func(string) *topicMetrics) (*producer, error) {
	logs := startLogs(logger, "producer")
	cm := ckafka.ConfigMap{
		// Delivery reports carry only the error back (and a Send's
		// Opaque): copying keys and values back into Go would double the
		// allocations of a send.
		"go.delivery.report.fields": "none",
		// The defaults allocate channels of a million entries per producer.
		"go.events.channel.size":  10000,
		"go.produce.channel.size": 0,
		"go.logs.channel.enable":  true,
		"go.logs.channel":         logs.ch,
	}
	for k, v := range extra {
		cm[k] = v
	}
	p, err := ckafka.NewProducer(clientConfig(m.producerConf(conf), scopeProducer, producerDefaults, cm))
	if err != nil {
		logs.stop()
		return nil, fmt.Errorf("kafka: topic %s: making producer: %w", topic, err)
	}
	pr := &producer{
		topic:      topic,
		p:          p,
		logs:       logs,
		logger:     logger,
		deliveries: newDeliveries(epochMaxAge, epochMaxMessages, epochMaxRuns),
		done:       make(chan struct{}),
		room:       make(chan struct{}, 1),
		metrics:    m,
		metricsOf:  metricsOf,
	}
	go pr.reports()
	return pr, nil
}

// send enqueues m, counting it in p.deliveries, which calls done once m's
// epoch ends; or, while the epoch takes no more messages, with done as its
// Opaque.
func (p *producer) send(ctx context.Context, m *ckafka.Message, done func(error)) error {
	slot, counted := p.deliveries.add(done)
	if !counted {
		m.Opaque = done
		return p.produce(ctx, m)
	}
	if err := p.produce(ctx, m); err != nil {
		p.deliveries.withdraw(slot)
		return err
	}
	return nil
}

// produce enqueues m, waiting for room in the producer's queue.
func (p *producer) produce(ctx context.Context, m *ckafka.Message) error {
	if err := p.err(); err != nil {
		return err
	}
	if p.tx != nil {
		return p.tx.produce(ctx, p, m)
	}
	if err := p.enqueue(m); err != nil {
		return p.produceWhenRoom(ctx, m, err)
	}
	return nil
}

// enqueue hands m to librdkafka, and purges the producer's queue if it
// has failed meanwhile: a failure reported between a send's check of
// p.err and librdkafka taking the message purged the queue before the
// message was in it, which would otherwise wait there for a broker it can
// never reach (seen under load: a wrong password's send waited out its
// context instead of failing).
func (p *producer) enqueue(m *ckafka.Message) error {
	err := p.p.Produce(m, nil)
	if err == nil && p.fatal.Load() != nil {
		p.p.Purge(ckafka.PurgeQueue | ckafka.PurgeNonBlocking)
	}
	return err
}

// produceWhenRoom is produce once librdkafka has refused m with err: if its
// queue was full, it waits for room and tries again. It is apart from
// produce so that the common path has no defer to run.
func (p *producer) produceWhenRoom(ctx context.Context, m *ckafka.Message, err error) error {
	timer := time.NewTimer(10 * time.Millisecond)
	defer timer.Stop()
	for {
		if !isQueueFull(err) {
			return fmt.Errorf("kafka: producing to topic %s: %w", p.topic, err)
		}
		select {
		case <-p.room:
		case <-timer.C:
		case <-ctx.Done():
			return fmt.Errorf("kafka: topic %s: waiting for room in the producer queue: %w", p.topic, context.Cause(ctx))
		}
		if err = p.err(); err != nil {
			return err
		}
		if err = p.enqueue(m); err == nil {
			return nil
		}
		timer.Reset(10 * time.Millisecond)
	}
}

// reports reads the producer's events until the producer closes.
func (p *producer) reports() {
	defer close(p.done)
	defer p.deliveries.abandon(fmt.Errorf("kafka: topic %s: producer closed before the delivery report", p.topic))
	for ev := range p.p.Events() {
		switch e := ev.(type) {
		case *ckafka.Message:
			var err error
			if e.TopicPartition.Error != nil {
				err = p.deliveryError(e.TopicPartition.Error)
			}
			p.metricsFor(e.TopicPartition.Topic).delivered(err)
			if done, ok := e.Opaque.(func(error)); ok {
				done(err)
			} else {
				p.deliveries.report(err)
			}
			select {
			case p.room <- struct{}{}:
			default:
			}
		case ckafka.Error:
			p.clientError(e)
		case *ckafka.Stats:
			p.metrics.producerStats(e.String())
		}
	}
}

// metricsFor returns what counts a delivery report of topic (nil: none).
func (p *producer) metricsFor(topic *string) *topicMetrics {
	if p.metricsOf != nil && topic != nil {
		return p.metricsOf(*topic)
	}
	return p.metrics
}

// clientError handles an error the client reports outside a delivery
// report: one that the producer cannot go on after (see classify) fails
// every message it holds and every later send; the others are logged.
func (p *producer) clientError(e ckafka.Error) {
	err := clientFailure(p.topic, "producer", e)
	if err != nil && p.tx != nil {
		err = p.tx.fail(p.tx.wrap("producing", e))
	}
	if err == nil {
		p.logger.Warn("kafka: producer error", "err", e)
		return
	}
	if p.fatal.CompareAndSwap(nil, &err) {
		p.logger.Error("kafka: producer failed", "err", err)
		p.p.Purge(ckafka.PurgeQueue | ckafka.PurgeInFlight | ckafka.PurgeNonBlocking)
	}
}

// err returns the error that stopped the producer, if any.
func (p *producer) err() error {
	if err := p.fatal.Load(); err != nil {
		return *err
	}
	return nil
}

// deliveryError wraps the error of a failed delivery.
func (p *producer) deliveryError(err error) error {
	if f := p.err(); f != nil {
		return f
	}
	return fmt.Errorf("kafka: delivering to topic %s: %w", p.topic, err)
}

// flush waits until every message has been delivered or has failed, or
// until ctx is done.
func (p *producer) flush(ctx context.Context) {
	for p.p.Len() > 0 && ctx.Err() == nil {
		wait := 100 * time.Millisecond
		if d, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(d))
		}
		if wait <= 0 {
			return
		}
		p.p.Flush(int(wait.Milliseconds()) + 1)
	}
}

// close delivers what the producer holds, within ctx, fails the rest, and
// closes the producer.
func (p *producer) close(ctx context.Context) error {
	p.flush(ctx)
	var err error
	if n := p.p.Len(); n > 0 {
		// flush stops at the deadline, a moment before ctx may say so.
		cause := cmp.Or(p.err(), context.Cause(ctx), context.DeadlineExceeded)
		err = fmt.Errorf("kafka: topic %s: %d messages not delivered before close: %w", p.topic, n, cause)
		p.p.Purge(ckafka.PurgeQueue | ckafka.PurgeInFlight | ckafka.PurgeNonBlocking)
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		p.p.Close()
		<-p.done
		p.logs.stop()
	}()
	select {
	case <-closed:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("kafka: topic %s: closing producer: %w", p.topic, context.Cause(ctx)))
	}
	return err
}
