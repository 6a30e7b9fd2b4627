package kafka

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultCommitInterval is how often an [ExactlyOnce] commits its
// transaction unless [ExactlyOnceOptions] say otherwise: Kafka Streams'
// default under exactly-once.
const DefaultCommitInterval = 100 * time.Millisecond

// defaultTransactionTimeout is transaction.timeout.ms unless the
// configuration sets it: Kafka Streams' (librdkafka's is 60 s). A
// transaction left open by a crashed process, which its successor does not
// fence at once (see [ExactlyOnce]), holds read_committed readers back for
// this long.
const defaultTransactionTimeout = 10 * time.Second

// An ExactlyOnce makes the topics that join it (see [WithExactlyOnce])
// process their messages exactly once: every output sent to those topics
// (the changelog records of package state's tables included, whose
// changelogs join the group of their input) and the offsets of the
// messages read from them are committed together, in one Kafka
// transaction per commit interval. A read_committed reader sees the
// outputs of a message only once its offset is committed with them; after
// a crash, the messages whose transaction did not commit are read again,
// and their earlier outputs stay invisible. The default, without an
// ExactlyOnce, is at-least-once.
//
// What it covers and what it does not: see "Exactly-once" in the package
// documentation. In short, sinks that are not Kafka topics of the group (a
// function, an HTTP call, a plain kv.Cache) are outside the transaction and
// see a message again after a crash.
//
// One ExactlyOnce serves one app instance: its topics share one
// transactional producer, whose transactional.id is made from the group.id
// and the instance name (group.instance.id; see Restarts in the package
// documentation) so that a restarted instance fences the one it replaces
// and aborts its open transaction at once. Without an instance name the id
// is random, and a crashed instance's open transaction holds
// read_committed readers back until transaction.timeout.ms (10 s by
// default) passes. Two instances must never share an instance name.
//
// Close it once the app that uses it has stopped.
type ExactlyOnce struct {
	conf     ConfigMap
	interval time.Duration
	id       string // transactional.id
	logger   *slog.Logger

	tx *transaction

	mu      sync.Mutex
	members []member // the consumers whose offsets commit in the transactions
	loop    chan struct{}
	stopped chan struct{}
	closed  bool

	collector prometheus.Collector // its metrics; see Topic.Instrument
}

// ExactlyOnceOptions configure an [ExactlyOnce]. A nil *ExactlyOnceOptions
// means the defaults.
type ExactlyOnceOptions struct {
	// CommitInterval is how often the transaction commits; default
	// [DefaultCommitInterval]. Outputs become visible to read_committed
	// readers when it does: a longer interval costs latency, a shorter one
	// throughput.
	CommitInterval time.Duration
	// TransactionalID overrides the transactional.id made from the
	// group.id and the instance name. It must be stable across restarts
	// of one instance and unique among instances.
	TransactionalID string
	// Logger receives its log lines; default slog.Default().
	Logger *slog.Logger
}

// NewExactlyOnce returns an exactly-once group whose transactional
// producer is configured with the process-wide defaults of [Conf] merged
// with conf, as [NewTopic] configures a topic's: pass the configuration of
// the app's input topic (its bootstrap.servers, group.id and
// group.instance.id name the transactional id). It does not connect to
// Kafka until a topic of the group is read or written.
func NewExactlyOnce(conf ConfigMap, opts *ExactlyOnceOptions) (*ExactlyOnce, error) {
	if opts == nil {
		opts = &ExactlyOnceOptions{}
	}
	snap := snapshot(conf)
	if err := validate(snap); err != nil {
		return nil, fmt.Errorf("kafka: exactly-once: %w", err)
	}
	if opts.CommitInterval < 0 {
		return nil, fmt.Errorf("kafka: exactly-once: CommitInterval %v: want 0 (the default) or more", opts.CommitInterval)
	}
	if s, _ := valueString(snap["enable.idempotence"]); s == "false" {
		return nil, errors.New("kafka: exactly-once: enable.idempotence is false; transactions need it")
	}
	id, err := transactionalID(snap, opts.TransactionalID)
	if err != nil {
		return nil, err
	}
	logger := cmp.Or(opts.Logger, slog.Default()).With("transactional.id", id)
	e := &ExactlyOnce{
		conf:     snap,
		interval: cmp.Or(opts.CommitInterval, DefaultCommitInterval),
		id:       id,
		logger:   logger,
	}
	e.tx = newTransaction(id, snap, logger)
	e.collector = newTransactionCollector(e.tx)
	return e, nil
}

// transactionalID returns the transactional.id of an exactly-once group
// configured with conf: given, or "<group.id>-<instance name>", or
// "<group.id>-<random>" without an instance name.
func transactionalID(conf ConfigMap, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if s, _ := valueString(conf["transactional.id"]); s != "" {
		return s, nil
	}
	group, _ := valueString(conf["group.id"])
	if group == "" {
		return "", errors.New("kafka: exactly-once: the configuration has no group.id to name the transactional id after (or set ExactlyOnceOptions.TransactionalID)")
	}
	if name := instanceName(conf); name != "" {
		return group + "-" + name, nil
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return group + "-" + hex.EncodeToString(b), nil
}

// WithExactlyOnce makes the topic part of e: what it sends, and the
// offsets of what its consumers read, commit in e's transactions, and its
// consumers read only committed messages (isolation.level
// read_committed). A topic made with [NewTopicLike] from one in e is in e
// too. The topic must reach the cluster e does.
func WithExactlyOnce(e *ExactlyOnce) Option {
	return func(o *options) {
		if e == nil {
			o.errs = append(o.errs, errors.New("WithExactlyOnce: the ExactlyOnce is nil"))
		}
		o.eo = e
	}
}

// String returns "ExactlyOnce(<transactional.id>)".
func (e *ExactlyOnce) String() string { return "ExactlyOnce(" + e.id + ")" }

// TransactionalID returns the transactional.id of e's producer.
func (e *ExactlyOnce) TransactionalID() string { return e.id }

// Err returns the error that ended e's transactions (a fenced producer, a
// failed commit), nil while they commit.
func (e *ExactlyOnce) Err() error { return e.tx.err() }

// Commits returns how many transactions e has committed.
func (e *ExactlyOnce) Commits() int64 { return e.tx.commits.Load() }

// check reports a topic configured with conf that cannot join e.
func (e *ExactlyOnce) check(topic string, conf ConfigMap) error {
	mine, _ := valueString(e.conf["bootstrap.servers"])
	its, _ := valueString(conf["bootstrap.servers"])
	if mine != its {
		return fmt.Errorf("its bootstrap.servers %q differ from those of %s, %q: a transaction spans one cluster", its, e, mine)
	}
	return nil
}

// join adds a consumer whose offsets commit in e's transactions, making
// e's producer (which fences an earlier incarnation of this instance and
// aborts its open transaction) and starting the commit loop if need be.
func (e *ExactlyOnce) join(ctx context.Context, m member) error {
	if _, err := e.tx.producer(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return fmt.Errorf("kafka: %s is closed", e)
	}
	e.members = append(e.members, m)
	if e.loop == nil {
		e.loop, e.stopped = make(chan struct{}), make(chan struct{})
		go e.commitLoop(e.loop, e.stopped)
	}
	return nil
}

// leave removes consumer m: it commits no more offsets.
func (e *ExactlyOnce) leave(m member) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, x := range e.members {
		if x == m {
			e.members = append(e.members[:i], e.members[i+1:]...)
			return
		}
	}
}

// commitLoop commits every interval until stop is closed.
func (e *ExactlyOnce) commitLoop(stop, stopped chan struct{}) {
	defer close(stopped)
	tick := time.NewTicker(e.interval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), e.tx.timeout)
			err := e.commit(ctx)
			cancel()
			if err != nil {
				e.failMembers(err)
			}
		}
	}
}

// commit commits the open transaction, with the offsets that the members
// have accepted since the last commit; see transaction.commit.
func (e *ExactlyOnce) commit(ctx context.Context) error { return e.commitThen(ctx, nil) }

// commitThen is commit, calling then once committed, before any more
// message is handled; see transaction.commitThen.
func (e *ExactlyOnce) commitThen(ctx context.Context, then func()) error {
	_, err := e.tx.commitThen(ctx, e.currentMembers, then)
	return err
}

// abort aborts the open transaction: its outputs stay invisible and its
// offsets are not committed.
func (e *ExactlyOnce) abort(ctx context.Context) error { return e.tx.abort(ctx) }

func (e *ExactlyOnce) currentMembers() []member {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]member(nil), e.members...)
}

// failMembers ends the Feed of every member with err.
func (e *ExactlyOnce) failMembers(err error) {
	for _, m := range e.currentMembers() {
		m.fail(err)
	}
}

// Close commits what is left to commit, unless e has failed, and closes
// e's producer. Call it once the apps using e have stopped (an app's topics
// commit their last offsets as they close); closing again does nothing.
func (e *ExactlyOnce) Close(ctx context.Context) error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	loop, stopped := e.loop, e.stopped
	e.mu.Unlock()
	if loop != nil {
		close(loop)
		<-stopped
	}
	return e.tx.close(ctx, e.currentMembers)
}
