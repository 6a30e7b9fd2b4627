package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/stream/streamio"
)

// settleIdle: Close stops waiting for the outputs of the messages already
// read once none has been accepted for this long.
const settleIdle = time.Second

// A consumer reads a Topic for one call of Feed: one librdkafka consumer in
// the topic's group. Its fetch loop writes what its poller polls to the
// stream, carrying out the topic's bad-input policy; its rebalancer takes
// and gives up partitions; its offsets track what is accepted from them and
// commit it.
type consumer[K, V any] struct {
	t      *Topic[K, V]
	client *ckafka.Consumer
	logs   *logPump
	logger *slog.Logger

	poller     poller
	rebalancer rebalancer
	offsets    offsets

	cancel context.CancelCauseFunc // ends Feed with an error
	fed    chan struct{}           // closed when Feed has returned
}

func (t *Topic[K, V]) newConsumer(ctx context.Context, cancel context.CancelCauseFunc) (*consumer[K, V], error) {
	if _, ok := t.conf["group.id"]; !ok {
		return nil, fmt.Errorf("kafka: topic %s: reading needs a group.id in the topic's configuration or in Conf", t.name)
	}
	logs := startLogs(t.logger, "consumer")
	kc, err := ckafka.NewConsumer(consumerConfig(t.conf, logs.ch))
	if err != nil {
		logs.stop()
		return nil, fmt.Errorf("kafka: topic %s: making consumer: %w", t.name, err)
	}
	c := &consumer[K, V]{
		t:      t,
		client: kc,
		logs:   logs,
		logger: t.logger,
		cancel: cancel,
		fed:    make(chan struct{}),
		offsets: offsets{
			topic:        &t.name,
			committer:    kc,
			logger:       t.logger,
			parts:        make(map[int32]*partition),
			manualCommit: manualCommitInterval(t.conf),
		},
	}
	c.poller = poller{
		client:  kc,
		offsets: &c.offsets,
		topic:   t.name,
		fail:    c.fail,
		logger:  t.logger,
		seeks:   make(chan *seekRequest),
		polled:  make(chan struct{}),
	}
	c.rebalancer = rebalancer{
		ctx:       ctx,
		listeners: t.partitionListeners(),
		client:    kc,
		topic:     t.name,
		start:     t.start,
		offsets:   &c.offsets,
		poller:    &c.poller,
		fail:      c.fail,
		notify:    t.notify,
		logger:    t.logger,
	}
	if err := kc.SubscribeTopics([]string{t.name}, c.rebalancer.rebalance); err != nil {
		kc.Close()
		logs.stop()
		return nil, fmt.Errorf("kafka: topic %s: subscribing: %w", t.name, err)
	}
	t.mu.Lock()
	t.consumers = append(t.consumers, c)
	t.mu.Unlock()
	t.notify()
	return c, nil
}

// consumerConfig returns the librdkafka configuration of a consumer of a
// topic configured with conf, whose log lines go to logs: the defaults
// (see ConsumerDefaults), conf over them, and what the consumer needs over
// both: it stores offsets itself, once their messages are accepted.
func consumerConfig(conf ConfigMap, logs chan ckafka.LogEvent) *ckafka.ConfigMap {
	return clientConfig(conf, scopeConsumer, consumerDefaults, ckafka.ConfigMap{
		"enable.auto.offset.store": false,
		"go.logs.channel.enable":   true,
		"go.logs.channel":          logs,
	})
}

// fail ends Feed with err, which the app returns.
func (c *consumer[K, V]) fail(err error) {
	c.logger.Debug("kafka: reading failed", "err", err)
	c.cancel(err)
}

// running reports whether the consumer still reads.
func (c *consumer[K, V]) running() bool {
	select {
	case <-c.poller.polled:
		return false
	default:
		return true
	}
}

// close ends the consumer: it stops Feed if it still runs, waits (within
// ctx, and while they keep coming) for the outputs of what was read to be
// accepted, commits what was, and closes the client.
func (c *consumer[K, V]) close(ctx context.Context) error {
	c.cancel(errTopicClosed)
	select {
	case <-c.fed:
	case <-ctx.Done():
		return fmt.Errorf("kafka: topic %s: closing consumer: still reading: %w", c.t.name, context.Cause(ctx))
	}
	if !streamio.Aborted(ctx) { // after a failure, nothing more will be accepted
		c.settle(ctx)
	}
	c.offsets.store(true)
	c.offsets.commit()
	closed := make(chan error, 1)
	go func() {
		err := c.client.Close()
		c.logs.stop()
		closed <- err
	}()
	select {
	case err := <-closed:
		if err != nil {
			return fmt.Errorf("kafka: topic %s: closing consumer: %w", c.t.name, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("kafka: topic %s: closing consumer: %w", c.t.name, context.Cause(ctx))
	}
}

// settle polls the client while messages written to the stream wait for
// acceptance, until none do, none has been accepted for settleIdle, or half
// the time ctx leaves has passed (the other half is for closing). Polling
// keeps the consumer in its group and serves rebalances; the partitions are
// paused, so it reads nothing.
func (c *consumer[K, V]) settle(ctx context.Context) {
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(d)/2)
		defer cancel()
	}
	last, since := uint64(0), time.Now()
	for ctx.Err() == nil {
		waiting, moved := c.offsets.inFlight()
		if waiting == 0 {
			return
		}
		if moved != last {
			last, since = moved, time.Now()
		} else if time.Since(since) > settleIdle {
			break
		}
		switch e := c.client.Poll(int(pollWait.Milliseconds())).(type) {
		case ckafka.Error:
			c.logger.Warn("kafka: consumer error", "err", e)
		}
	}
	waiting, _ := c.offsets.inFlight()
	c.logger.Debug("kafka: closing with messages whose outputs were not accepted", "messages", waiting)
}
