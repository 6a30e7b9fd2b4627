package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// How an ExactlyOnce commits. A transaction must hold every output of each
// message whose offset it commits, and no output of a message whose offset
// it does not: otherwise a crash after the commit repeats, or loses, that
// output. Messages are handled concurrently with sends and deliveries, so a
// commit first makes a clean cut:
//
//  1. It takes the gate for writing. Each consumer's fetch loop holds the
//     gate for reading while it hands a message to its stream, and flushes
//     what its stream holds before it waits for the gate, so the loops stop
//     between two messages, with nothing held back.
//  2. It drains: it waits until every message written to the members'
//     streams has been accepted, each output delivered to the broker, in
//     the open transaction, or accepted by its non-Kafka sink.
//  3. It takes sends for writing (waiting for sends under way), sends each
//     member's accepted offsets with its group metadata
//     (SendOffsetsToTransaction, KIP-447: a zombie of an older generation
//     is refused), and commits.
//  4. It lets the fetch loops go on; the next send begins the next
//     transaction.
//
// A commit therefore costs the pipeline a drain, a round trip to the
// broker or two, each commit interval. Sends made outside any stream (a
// Topic.Produce, a table written by hand) join whichever transaction is
// open when they are made.
type transaction struct {
	id      string
	conf    ConfigMap
	timeout time.Duration // transaction.timeout.ms
	logger  *slog.Logger

	mu   sync.Mutex               // making prod
	prod atomic.Pointer[producer] // made on first use; cleared by close

	gate  sync.RWMutex // read: a fetch loop handing a message on; write: a commit
	sends sync.RWMutex // read: a send; write: a commit's offsets and commit

	beginMu sync.Mutex
	open    atomic.Bool // a transaction has begun and not ended

	commitMu sync.Mutex // one commit or abort at a time
	failed   atomic.Pointer[error]
	// aborting is set by abort before it waits for commitMu: a commit
	// waiting for in-flight messages gives up, as their outputs may never
	// be accepted now (a failed sink), and the app would wait out the
	// transaction timeout to stop.
	aborting atomic.Bool

	// For metrics: transactions committed and aborted, and how long
	// commits held the fetch loops, in nanoseconds.
	commits, aborts, held atomic.Int64
	// topics holds the metrics of the group's instrumented topics, by
	// name, which count the producer's delivery reports.
	topics sync.Map
}

// countFor makes the delivery reports of the group's sends to topic count
// in m.
func (t *transaction) countFor(topic string, m *topicMetrics) { t.topics.Store(topic, m) }

// metricsOf returns what counts the delivery reports of topic, or nil.
func (t *transaction) metricsOf(topic string) *topicMetrics {
	if m, ok := t.topics.Load(topic); ok {
		return m.(*topicMetrics)
	}
	return nil
}

// A member is a consumer whose offsets commit in the transactions.
type member interface {
	// inFlight returns how many messages written to its stream wait for
	// their outputs to be accepted.
	inFlight() int
	// takeOffsets returns the offsets accepted since they were last taken.
	takeOffsets() []ckafka.TopicPartition
	// groupMetadata returns its consumer's group metadata, for
	// SendOffsetsToTransaction.
	groupMetadata() (*ckafka.ConsumerGroupMetadata, error)
	// fail ends its Feed with err.
	fail(err error)
	// committed counts a transaction that committed its offsets tps.
	committed(tps []ckafka.TopicPartition)
}

func newTransaction(id string, conf ConfigMap, logger *slog.Logger) *transaction {
	timeout := defaultTransactionTimeout
	if ms, err := strconv.Atoi(fmt.Sprint(conf["transaction.timeout.ms"])); err == nil && ms > 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	return &transaction{id: id, conf: conf, timeout: timeout, logger: logger}
}

// producer returns the transactional producer, making it on first use: its
// InitTransactions fences an earlier producer with the same transactional
// id and ends that producer's open transaction.
func (t *transaction) producer(ctx context.Context) (*producer, error) {
	if p := t.prod.Load(); p != nil {
		return p, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.prod.Load(); p != nil {
		return p, nil
	}
	if err := t.err(); err != nil {
		return nil, err
	}
	extra := ckafka.ConfigMap{
		"transactional.id":       t.id,
		"enable.idempotence":     true,
		"transaction.timeout.ms": int(t.timeout.Milliseconds()),
	}
	if _, ok := t.conf["message.timeout.ms"]; !ok {
		extra["message.timeout.ms"] = int(t.timeout.Milliseconds()) // must not exceed the transaction's
	}
	p, err := newProducer("transactional.id "+t.id, t.conf, t.logger, extra, nil, t.metricsOf)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*t.timeout)
	defer cancel()
	if err := t.retry(ctx, func() error { return p.p.InitTransactions(ctx) }); err != nil {
		_ = p.close(ctx)
		return nil, t.fail(t.wrap("initializing transactions", err))
	}
	p.tx = t
	t.prod.Store(p)
	return p, nil
}

// produce enqueues m in the open transaction, beginning one if none is.
func (t *transaction) produce(ctx context.Context, p *producer, m *ckafka.Message) error {
	t.sends.RLock()
	defer t.sends.RUnlock()
	if err := t.begin(p); err != nil {
		return err
	}
	if err := p.enqueue(m); err != nil {
		return p.produceWhenRoom(ctx, m, err)
	}
	return nil
}

// begin begins a transaction unless one is open.
func (t *transaction) begin(p *producer) error {
	if t.open.Load() {
		return nil
	}
	t.beginMu.Lock()
	defer t.beginMu.Unlock()
	if t.open.Load() {
		return nil
	}
	if err := t.err(); err != nil {
		return err
	}
	if err := p.p.BeginTransaction(); err != nil {
		return t.fail(t.wrap("beginning a transaction", err))
	}
	t.open.Store(true)
	return nil
}

// commit commits the open transaction with the offsets the members have
// accepted; see the comment at the top of this file. It reports whether a
// transaction committed. An error is final: the transaction fails, and so
// does every later send and commit.
func (t *transaction) commit(ctx context.Context, members func() []member) (bool, error) {
	return t.commitThen(ctx, members, nil)
}

// commitThen is commit, calling then (if not nil) once committed, before
// the fetch loops go on: a revoke lets its partitions go there, so that no
// message of theirs is handled between the commit and their going.
func (t *transaction) commitThen(ctx context.Context, members func() []member, then func()) (bool, error) {
	t.commitMu.Lock()
	defer t.commitMu.Unlock()
	if err := t.err(); err != nil {
		return false, err
	}
	p := t.prod.Load()
	if p == nil {
		return false, nil // nothing was ever sent or read
	}
	t.gate.Lock()
	defer t.gate.Unlock()
	start := time.Now()
	defer func() { t.held.Add(int64(time.Since(start))) }()
	ms := members()
	if err := t.drain(ctx, ms); err != nil {
		if t.aborting.Load() {
			return false, errAborted // abort, next, ends the transaction
		}
		return false, t.fail(t.wrap("committing", err))
	}
	t.sends.Lock()
	defer t.sends.Unlock()
	type memberOffsets struct { // not package kafka's offsets
		m   member
		tps []ckafka.TopicPartition
	}
	var sent []memberOffsets // those in the transaction
	for _, m := range ms {
		tps, err := t.sendOffsets(ctx, p, m)
		if err != nil {
			return false, err
		}
		if len(tps) > 0 {
			sent = append(sent, memberOffsets{m, tps})
		}
	}
	if !t.open.Load() {
		if then != nil {
			then()
		}
		return false, nil
	}
	if err := t.retry(ctx, func() error { return p.p.CommitTransaction(ctx) }); err != nil {
		return false, t.fail(t.wrap("committing", err))
	}
	t.open.Store(false)
	t.commits.Add(1)
	for _, o := range sent {
		o.m.committed(o.tps)
	}
	if testHookCommitted != nil {
		testHookCommitted()
	}
	if then != nil {
		then()
	}
	return true, nil
}

// Test hooks, nil but in tests that kill a process at these moments: once
// a transaction has committed, and as a revoke is about to commit.
var testHookCommitted, testHookRevoking func()

// sendOffsets adds m's accepted offsets to the open transaction, beginning
// one if need be, and returns them.
func (t *transaction) sendOffsets(ctx context.Context, p *producer, m member) ([]ckafka.TopicPartition, error) {
	tps := m.takeOffsets()
	if len(tps) == 0 {
		return nil, nil
	}
	if err := t.begin(p); err != nil {
		return nil, err
	}
	meta, err := m.groupMetadata()
	if err != nil {
		return nil, t.fail(t.wrap("reading the consumer's group metadata", err))
	}
	if err := t.retry(ctx, func() error { return p.p.SendOffsetsToTransaction(ctx, tps, meta) }); err != nil {
		return nil, t.fail(t.wrap("sending offsets to the transaction", err))
	}
	return tps, nil
}

// drain waits until no message of the members' streams waits for its
// outputs, or ctx is done, or the transaction fails or is being aborted.
func (t *transaction) drain(ctx context.Context, ms []member) error {
	wait := 50 * time.Microsecond
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		n := 0
		for _, m := range ms {
			n += m.inFlight()
		}
		if n == 0 {
			return nil
		}
		if err := t.err(); err != nil {
			return err
		}
		if t.aborting.Load() {
			return errAborted
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d messages read still wait for their outputs: %w", n, context.Cause(ctx))
		case <-timer.C:
		}
		wait = min(2*wait, 2*time.Millisecond)
		timer.Reset(wait)
	}
}

// abort aborts the open transaction, if any: its outputs stay invisible to
// read_committed readers and its offsets are not committed.
func (t *transaction) abort(ctx context.Context) error {
	t.aborting.Store(true)
	t.commitMu.Lock()
	defer t.commitMu.Unlock()
	p := t.prod.Load()
	// Whatever happens, nothing more commits: what was handled since the
	// last commit is to be handled again, after a restart.
	t.fail(errAborted)
	if p == nil || !t.open.Load() || fatal(t.err()) {
		return nil
	}
	t.sends.Lock()
	defer t.sends.Unlock()
	err := t.retry(ctx, func() error { return p.p.AbortTransaction(ctx) })
	t.open.Store(false)
	if err != nil {
		return t.wrap("aborting", err)
	}
	t.aborts.Add(1)
	t.logger.Info("kafka: transaction aborted")
	return nil
}

// errAborted ends the transactions of an ExactlyOnce whose app failed.
var errAborted = errors.New("kafka: exactly-once: the transaction was aborted, as the app failed; nothing more commits")

// close commits what is open, unless the transaction has failed (then it
// aborts it), and closes the producer.
func (t *transaction) close(ctx context.Context, members func() []member) error {
	var err error
	if t.err() == nil {
		_, err = t.commit(ctx, members)
	} else {
		err = t.abort(ctx)
	}
	t.mu.Lock()
	p := t.prod.Swap(nil)
	t.mu.Unlock()
	if p != nil {
		err = errors.Join(err, p.close(ctx))
	}
	return err
}

// retry calls f until it succeeds, fails with an error that is not
// retriable, or ctx is done. librdkafka's retriable transactional calls are
// to be called again as they were (SendOffsetsToTransaction with the same
// offsets and metadata).
func (t *transaction) retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		var ke ckafka.Error
		if err == nil || !errors.As(err, &ke) || !ke.IsRetriable() || ctx.Err() != nil {
			return err
		}
		t.logger.Debug("kafka: transactional call failed; retrying", "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// wrap names what failed; a fenced producer gets words a user can act on.
func (t *transaction) wrap(what string, err error) error {
	if hasCode(err, ckafka.ErrFenced) || hasCode(err, ckafka.ErrProducerFenced) {
		return fmt.Errorf("kafka: exactly-once (transactional.id %s): %s: fenced: another instance with the same transactional id took over, and this one may commit nothing more: %w", t.id, what, err)
	}
	return fmt.Errorf("kafka: exactly-once (transactional.id %s): %s: %w", t.id, what, err)
}

// fail records err as the transaction's end, unless it already failed,
// and returns the error it ended with.
func (t *transaction) fail(err error) error {
	if t.failed.CompareAndSwap(nil, &err) {
		t.logger.Error("kafka: exactly-once failed", "err", err)
		return err
	}
	return *t.failed.Load()
}

// err returns the error the transaction failed with, if any.
func (t *transaction) err() error {
	if err := t.failed.Load(); err != nil {
		return *err
	}
	return nil
}

// fatal reports whether err comes from a producer that can do nothing
// more, not even abort.
func fatal(err error) bool {
	var ke ckafka.Error
	return errors.As(err, &ke) && ke.IsFatal()
}
