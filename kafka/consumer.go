package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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
	t       *Topic[K, V]
	client  *ckafka.Consumer
	logs    *logPump
	logger  *slog.Logger
	release func() // gives back its group.instance.id (claimInstanceID)
	eo      *ExactlyOnce
	tx      *transaction // eo's, nil without one
	// handoff is held for reading by the fetch loop while it hands a
	// message to the stream, and for writing by whoever must stop the
	// loop between two messages: an exactly-once commit (then it is the
	// transaction's gate, shared by every consumer of the group), or a
	// revoke of partitions whose listeners hold their state (see
	// rebalancer.revoke). nil when neither can happen.
	handoff *sync.RWMutex

	poller     poller
	rebalancer rebalancer
	offsets    offsets

	cancel context.CancelCauseFunc // ends Feed with an error
	fed    chan struct{}           // closed when Feed has returned

	obs    *consumerObserver // its metrics; nil: none (see Topic.Instrument)
	joined atomic.Bool       // its group has given it an assignment (see health.go)
}

func (t *Topic[K, V]) newConsumer(ctx context.Context, cancel context.CancelCauseFunc) (*consumer[K, V], error) {
	if _, ok := t.conf["group.id"]; !ok {
		return nil, fmt.Errorf("kafka: topic %s: reading needs a group.id in the topic's configuration or in Conf", t.name)
	}
	instance, release := claimInstanceID(t.conf, t.name)
	logs := startLogs(t.logger, "consumer")
	obs := t.metrics.observer(t.name)
	cm := consumerConfig(obs.conf(t.conf), instance, logs.ch)
	if t.eo != nil {
		(*cm)["enable.auto.commit"] = false // offsets commit in the transactions
		(*cm)["isolation.level"] = "read_committed"
	}
	kc, err := ckafka.NewConsumer(cm)
	if err != nil {
		logs.stop()
		release()
		return nil, fmt.Errorf("kafka: topic %s: making consumer: %w", t.name, err)
	}
	logger, role := t.logger, "consumer"
	if instance != "" {
		logger = logger.With("instance", instance)
		role = fmt.Sprintf("consumer (group.instance.id %s)", instance)
	}
	c := &consumer[K, V]{
		t:       t,
		client:  kc,
		logs:    logs,
		logger:  logger,
		release: release,
		eo:      t.eo,
		cancel:  cancel,
		fed:     make(chan struct{}),
		obs:     obs,
		offsets: offsets{
			topic:        &t.name,
			committer:    kc,
			logger:       logger,
			parts:        make(map[int32]*partition),
			manualCommit: manualCommitInterval(t.conf),
		},
	}
	ann := &announcer{ctx: ctx, listeners: t.partitionListeners(), topic: t.name}
	c.poller = poller{
		announcer: ann,
		client:    kc,
		offsets:   &c.offsets,
		topic:     t.name,
		role:      role,
		fail:      c.fail,
		logger:    logger,
		seeks:     make(chan *seekRequest),
		polled:    make(chan struct{}),
		observer:  obs,
	}
	switch {
	case t.eo != nil:
		c.tx = t.eo.tx
		c.handoff = &t.eo.tx.gate
		c.offsets.committer = &txnCommitter{}
		c.offsets.transactional = true
	case len(ann.listeners) > 0:
		c.handoff = new(sync.RWMutex)
	}
	c.rebalancer = rebalancer{
		eo:        t.eo,
		handoff:   c.handoff,
		announcer: ann,
		client:    kc,
		topic:     t.name,
		start:     t.start,
		offsets:   &c.offsets,
		poller:    &c.poller,
		fail:      c.fail,
		notify:    c.rebalanced,
		logger:    logger,
	}
	if t.eo != nil {
		if err := t.eo.join(ctx, c); err != nil {
			kc.Close()
			logs.stop()
			release()
			return nil, fmt.Errorf("kafka: topic %s: %w", t.name, err)
		}
	}
	if err := kc.SubscribeTopics([]string{t.name}, c.rebalancer.rebalance); err != nil {
		if t.eo != nil {
			t.eo.leave(c)
		}
		kc.Close()
		logs.stop()
		release()
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
// both: it stores offsets itself, once their messages are accepted, and
// joins its group as instance (see claimInstanceID), or as a dynamic
// member if instance is "".
func consumerConfig(conf ConfigMap, instance string, logs chan ckafka.LogEvent) *ckafka.ConfigMap {
	cm := clientConfig(conf, scopeConsumer, consumerDefaults, ckafka.ConfigMap{
		"enable.auto.offset.store": false,
		"go.logs.channel.enable":   true,
		"go.logs.channel":          logs,
		"group.instance.id":        instance,
	})
	if instance == "" {
		delete(*cm, "group.instance.id")
	}
	return cm
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
	c.rebalancer.announcer.stop()
	if c.poller.fatal.Load() {
		return c.abandon()
	}
	if !streamio.Aborted(ctx) { // after a failure, nothing more will be accepted
		c.settle(ctx)
	}
	var txErr error
	if c.eo != nil {
		txErr = c.endTransaction(ctx)
	}
	c.offsets.store(true)
	if err := c.offsets.commit(); hasCode(err, ckafka.ErrFatal) || c.poller.fatal.Load() {
		return c.abandon()
	}
	closed := make(chan error, 1)
	go func() {
		err := c.client.Close()
		c.logs.stop()
		c.release()
		closed <- err
	}()
	select {
	case err := <-closed:
		if err != nil {
			return errors.Join(txErr, fmt.Errorf("kafka: topic %s: closing consumer: %w", c.t.name, err))
		}
		return txErr
	case <-ctx.Done():
		return errors.Join(txErr, fmt.Errorf("kafka: topic %s: closing consumer: %w", c.t.name, context.Cause(ctx)))
	}
}

// abandon gives up a consumer whose client reported a fatal error, such as
// a static member fenced by another: confluent-kafka-go v2.11's Close
// would wait forever for it (confluentinc/confluent-kafka-go#1588). Such a
// client can neither commit nor leave its group; it stays, idle, until the
// process ends.
func (c *consumer[K, V]) abandon() error {
	c.logger.Warn("kafka: leaving a failed consumer unclosed")
	c.release()
	return nil
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
			if e.IsFatal() {
				c.poller.fatal.Store(true)
				return
			}
			c.logger.Warn("kafka: consumer error", "err", e)
		}
	}
	waiting, _ := c.offsets.inFlight()
	c.logger.Debug("kafka: closing with messages whose outputs were not accepted", "messages", waiting)
}

// endTransaction commits the offsets of what the consumer read, and the
// outputs of those messages, in its ExactlyOnce's transaction; or, when
// the app failed, aborts the transaction.
func (c *consumer[K, V]) endTransaction(ctx context.Context) error {
	defer c.eo.leave(c)
	if streamio.Aborted(ctx) {
		if err := c.eo.abort(ctx); err != nil {
			return fmt.Errorf("kafka: topic %s: closing consumer: %w", c.t.name, err)
		}
		return nil
	}
	if err := c.eo.commit(ctx); err != nil {
		return fmt.Errorf("kafka: topic %s: closing consumer: %w", c.t.name, err)
	}
	return nil
}

// inFlight returns how many messages written to the stream wait for their
// outputs to be accepted. It implements member.
func (c *consumer[K, V]) inFlight() int {
	waiting, _ := c.offsets.inFlight()
	return waiting
}

// takeOffsets implements member.
func (c *consumer[K, V]) takeOffsets() []ckafka.TopicPartition { return c.offsets.taken() }

// groupMetadata implements member.
func (c *consumer[K, V]) groupMetadata() (*ckafka.ConsumerGroupMetadata, error) {
	return c.client.GetConsumerGroupMetadata()
}

// committed counts, in the topic's metrics, a transaction that committed
// the consumer's offsets tps. It implements member.
func (c *consumer[K, V]) committed(tps []ckafka.TopicPartition) { c.obs.committedInTransaction(tps) }
