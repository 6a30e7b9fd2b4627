package kafka

import (
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// storeEvery is how often the offsets accepted so far are handed to
// librdkafka, which commits them every auto.commit.interval.ms.
const storeEvery = 100 * time.Millisecond

// offsets holds a consumer's assigned partitions, which track the offsets
// their messages accept, and hands those offsets to its committer: it
// stores them every storeEvery, for librdkafka to commit every
// auto.commit.interval.ms (or commits them itself as often, when the topic
// turns librdkafka's auto-commit off), and commits them before partitions
// are given up and when the consumer closes.
type offsets struct {
	topic     *string
	committer committer
	logger    *slog.Logger

	// parts, keyed by partition number (a consumer reads one topic),
	// changes only on the goroutine that polls (rebalance callbacks run
	// inside Poll; the keeper carries out seeks), and under mu: that
	// goroutine reads it without mu, any other takes mu.
	mu    sync.Mutex
	parts map[int32]*partition

	// Owned by whoever polls.
	lastStore    time.Time
	manualCommit time.Duration // when enable.auto.commit is false: commit this often
	lastCommit   time.Time

	// transactional: the offsets commit in an ExactlyOnce's transactions,
	// which take them (see taken); the committer is a *txnCommitter.
	transactional bool
}

// A committer commits offsets: *ckafka.Consumer, in its group. For
// exactly-once, a transactional producer could take its place, committing
// them with SendOffsetsToTransaction in the transaction of their outputs.
type committer interface {
	// StoreOffsets hands over offsets, to be committed with the next commit.
	StoreOffsets(offsets []ckafka.TopicPartition) ([]ckafka.TopicPartition, error)
	// Commit commits the offsets stored.
	Commit() ([]ckafka.TopicPartition, error)
	// CommitOffsets commits offsets now.
	CommitOffsets(offsets []ckafka.TopicPartition) ([]ckafka.TopicPartition, error)
}

// A partition is one partition assigned to the consumer. One goroutine
// serves them all; each could become a task of its own, with its own pause,
// its state restored on assign and flushed on revoke.
type partition struct {
	id        int32
	tr        *tracker // replaced by each seek
	announced bool     // the listeners have been told of it: it may be read
}

// manualCommitInterval returns how often to commit when conf turns off
// librdkafka's auto-commit, zero when it does not.
func manualCommitInterval(conf ConfigMap) time.Duration {
	if s, _ := valueString(conf["enable.auto.commit"]); s != "false" {
		return 0
	}
	if ms, err := strconv.Atoi(fmt.Sprint(conf["auto.commit.interval.ms"])); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return 5 * time.Second
}

// at returns offset off of partition p.
func (o *offsets) at(p int32, off int64) ckafka.TopicPartition {
	return ckafka.TopicPartition{Topic: o.topic, Partition: p, Offset: ckafka.Offset(off)}
}

// current returns the tracker of assigned partition p, nil for one not
// assigned. Only the goroutine that polls may call it (see parts).
func (o *offsets) current(p int32) *tracker {
	if pt := o.parts[p]; pt != nil {
		return pt.tr
	}
	return nil
}

// assigned returns the assigned partitions that may be read: those whose
// listeners have been told of them (see announcer).
func (o *offsets) assigned() []ckafka.TopicPartition {
	o.mu.Lock()
	defer o.mu.Unlock()
	parts := make([]ckafka.TopicPartition, 0, len(o.parts))
	for p, pt := range o.parts {
		if pt.announced {
			parts = append(parts, ckafka.TopicPartition{Topic: o.topic, Partition: p})
		}
	}
	return parts
}

// announce marks those of ps still assigned as announced, and returns them.
func (o *offsets) announce(ps []int32) []ckafka.TopicPartition {
	o.mu.Lock()
	defer o.mu.Unlock()
	var parts []ckafka.TopicPartition
	for _, p := range ps {
		if pt := o.parts[p]; pt != nil && !pt.announced {
			pt.announced = true
			parts = append(parts, ckafka.TopicPartition{Topic: o.topic, Partition: p})
		}
	}
	return parts
}

// assign adds partitions given to the consumer; with replace (an eager
// rebalance), they replace those it had. Unless announced, they may not be
// read until announce says so.
func (o *offsets) assign(parts []ckafka.TopicPartition, replace, announced bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if replace {
		for _, pt := range o.parts {
			pt.tr.retire()
		}
		clear(o.parts)
	}
	for _, tp := range parts {
		o.parts[tp.Partition] = &partition{id: tp.Partition, tr: newTracker(tp.Partition), announced: announced}
	}
}

// revoke removes partitions taken from the consumer, committing what was
// accepted from them, unless the assignment was lost, when a commit can
// only fail.
func (o *offsets) revoke(parts []ckafka.TopicPartition, lost bool) {
	var final []ckafka.TopicPartition
	o.mu.Lock()
	for _, tp := range parts {
		pt := o.parts[tp.Partition]
		if pt == nil {
			continue
		}
		delete(o.parts, tp.Partition)
		if off, ok := pt.tr.retire(); ok {
			final = append(final, o.at(pt.id, off))
		}
	}
	o.mu.Unlock()
	if len(final) == 0 || lost {
		return
	}
	o.storeOffsets(final)
	if _, err := o.committer.CommitOffsets(final); err != nil && !isNoOffset(err) {
		o.logger.Warn("kafka: committing revoked partitions", "err", err)
	}
}

// moveTo gives each assigned partition that off names a new tracker,
// storing what the old one accepted, and returns where to seek them.
func (o *offsets) moveTo(off Offset) []ckafka.TopicPartition {
	var to, final []ckafka.TopicPartition
	o.mu.Lock()
	for p, pt := range o.parts {
		at, ok := off.forPartition(p)
		if !ok {
			continue
		}
		if f, ok := pt.tr.retire(); ok {
			final = append(final, o.at(p, f))
		}
		pt.tr = newTracker(p)
		to = append(to, ckafka.TopicPartition{Topic: o.topic, Partition: p, Offset: at})
	}
	o.mu.Unlock()
	if len(final) > 0 {
		o.storeOffsets(final)
	}
	return to
}

// maintain stores accepted offsets now and then, and commits them when the
// topic's configuration turns off librdkafka's auto-commit.
func (o *offsets) maintain() {
	if o.transactional {
		return
	}
	now := time.Now()
	if now.Sub(o.lastStore) >= storeEvery {
		o.lastStore = now
		o.store(false)
	}
	if o.manualCommit > 0 && now.Sub(o.lastCommit) >= o.manualCommit {
		o.lastCommit = now
		o.commit()
	}
}

// store hands the committer the offsets accepted since the last store (or,
// with all, every accepted offset).
func (o *offsets) store(all bool) {
	var tps []ckafka.TopicPartition
	o.mu.Lock()
	for _, pt := range o.parts {
		if off, ok := pt.tr.take(all); ok {
			tps = append(tps, o.at(pt.id, off))
		}
	}
	o.mu.Unlock()
	if len(tps) > 0 {
		o.storeOffsets(tps)
	}
}

// taken returns the offsets accepted since they were last taken, for a
// transaction to commit; the committer must be a *txnCommitter.
func (o *offsets) taken() []ckafka.TopicPartition {
	o.store(false)
	return o.committer.(*txnCommitter).take()
}

// A txnCommitter is the committer of a consumer whose offsets commit in
// transactions: it keeps the offsets stored (as the fetch loop stores
// them, and as a seek does) for the next transaction to take.
type txnCommitter struct {
	mu      sync.Mutex
	pending map[int32]ckafka.TopicPartition
}

// StoreOffsets keeps tps for the next transaction.
func (c *txnCommitter) StoreOffsets(tps []ckafka.TopicPartition) ([]ckafka.TopicPartition, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		c.pending = make(map[int32]ckafka.TopicPartition)
	}
	for _, tp := range tps {
		c.pending[tp.Partition] = tp
	}
	return tps, nil
}

// Commit does nothing: the transactions commit.
func (c *txnCommitter) Commit() ([]ckafka.TopicPartition, error) { return nil, nil }

// CommitOffsets is called as partitions are revoked, once their offsets
// have committed in the transaction that the revoke commits: it forgets
// them, so that no later transaction commits an offset of a partition
// another consumer may have moved on.
func (c *txnCommitter) CommitOffsets(tps []ckafka.TopicPartition) ([]ckafka.TopicPartition, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, tp := range tps {
		delete(c.pending, tp.Partition)
	}
	return tps, nil
}

// take returns the offsets kept, and forgets them.
func (c *txnCommitter) take() []ckafka.TopicPartition {
	c.mu.Lock()
	defer c.mu.Unlock()
	tps := make([]ckafka.TopicPartition, 0, len(c.pending))
	for _, tp := range c.pending {
		tps = append(tps, tp)
	}
	clear(c.pending)
	return tps
}

func (o *offsets) storeOffsets(tps []ckafka.TopicPartition) {
	if _, err := o.committer.StoreOffsets(tps); err != nil {
		o.logger.Debug("kafka: storing offsets", "err", err)
	}
}

// commit commits the stored offsets now, and returns the error it logs.
func (o *offsets) commit() error {
	_, err := o.committer.Commit()
	if err != nil && !isNoOffset(err) {
		o.logger.Warn("kafka: commit failed", "err", err)
		return err
	}
	return nil
}

// settle waits until the messages of parts written to the stream have
// been accepted, while they keep being accepted (for settleIdle at most
// without one), and for revokeSettle at most in all: a revoke waits for
// them inside the client's poll.
func (o *offsets) settle(parts []ckafka.TopicPartition) {
	deadline := time.Now().Add(revokeSettle)
	last, since := uint64(0), time.Now()
	wait := 50 * time.Microsecond
	for time.Now().Before(deadline) {
		waiting, moved := o.inFlightOf(parts)
		if waiting == 0 {
			return
		}
		if moved != last {
			last, since = moved, time.Now()
		} else if time.Since(since) > settleIdle {
			break
		}
		time.Sleep(wait) // nothing signals an acceptance; revokes are rare
		wait = min(2*wait, 5*time.Millisecond)
	}
	waiting, _ := o.inFlightOf(parts)
	o.logger.Warn("kafka: giving up partitions with messages whose outputs were not accepted; they will be read again", "messages", waiting)
}

// revokeSettle bounds how long a revoke waits for the messages of its
// partitions (see offsets.settle).
const revokeSettle = 10 * time.Second

// inFlightOf is inFlight for the partitions parts.
func (o *offsets) inFlightOf(parts []ckafka.TopicPartition) (waiting int, moved uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, tp := range parts {
		if pt := o.parts[tp.Partition]; pt != nil {
			w, m := pt.tr.inFlight()
			waiting += w
			moved += m
		}
	}
	return waiting, moved
}

// inFlight returns how many messages written to the stream wait for
// acceptance, and a count that grows as they are accepted.
func (o *offsets) inFlight() (waiting int, moved uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, pt := range o.parts {
		w, m := pt.tr.inFlight()
		waiting += w
		moved += m
	}
	return waiting, moved
}
