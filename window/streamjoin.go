package window

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// JoinWindows say which records of two streams a [StreamJoin] pairs: those
// of one key whose event times differ by at most Within (Kafka Streams'
// JoinWindows, before and after alike).
type JoinWindows struct {
	// Within is the largest difference of the event times of a pair:
	// records at t1 and t2 pair when |t1 - t2| <= Within.
	Within time.Duration
	// Grace is how far behind stream time a record may come and still be
	// joined. A record older than stream time less Grace is late.
	Grace time.Duration
}

// String describes w, as "within 5s grace 1s".
func (w JoinWindows) String() string {
	s := fmt.Sprintf("within %v", w.Within)
	if w.Grace > 0 {
		s += fmt.Sprintf(" grace %v", w.Grace)
	}
	return s
}

func (w JoinWindows) check() error {
	switch {
	case w.Within < 0:
		return fmt.Errorf("JoinWindows %v: Within is negative", w)
	case w.Grace < 0:
		return fmt.Errorf("JoinWindows %v: Grace is negative", w)
	}
	return nil
}

// JoinCodecs encode the records that a [StreamJoin] keeps in its state:
// their keys, the left stream's values and the right stream's.
type JoinCodecs[K, L, R any] struct {
	Keys  codec.Codec[K]
	Left  codec.Codec[L]
	Right codec.Codec[R]
}

// A Pair is what a [StreamJoin] sends: a message of each of its streams,
// with the same key, within its time difference of each other. The
// message that came earlier to the join is the one read back from its
// state: its Headers are not kept.
type Pair[K, L, R any] struct {
	Left  kafka.Message[K, L]
	Right kafka.Message[K, R]
}

// A StreamJoin is a windowed stream–stream join of two co-partitioned
// topics (an inner join): see "Joins" in the package
// documentation. Make one with [JoinStreams] and bind it with
// [HandleJoin].
type StreamJoin[K, L, R any] struct {
	name    string
	left    *kafka.Topic[K, L]
	right   *kafka.Topic[K, R]
	w       JoinWindows
	c       JoinCodecs[K, L, R]
	keys    keys[K]
	table   *Table
	logger  *slog.Logger
	late    atomic.Int64
	lateLog lateLog

	mu    sync.Mutex
	parts map[int32]*joinPart
}

// A joinPart is the join's hold on one partition: its stream time, and
// the lock that handles the two streams' records of the partition one at
// a time, so that of two records that pair, the later one finds the
// earlier in the state.
type joinPart struct {
	mu    sync.Mutex
	now   int64       // stream time: the largest event time of both streams
	stale atomic.Bool // the partition moved: read now from the state again
}

// JoinStreams returns the stream–stream join called name of left and
// right within w, its state a [Table] on left (see [NewTable], which it
// calls with opts). The two topics must be co-partitioned (see
// [JoinTable]): JoinStreams fails if their partition counts differ.
//
// Each topic is read by a consumer of its own, in the group of left's
// configuration (give right the same one, as [kafka.NewTopicLike] does;
// JoinStreams fails if the two name different groups).
// With several instances, the instance that reads a partition of right
// must hold the table's shard of it, that is, read the same partition of
// left. The default (range) assignor orders the members of each topic by
// their ids, which begin with the instance's name (group.instance.id, see
// package kafka) or else with its client.id, by default one per process
// (see [kafka.ConsumerDefaults]); so it gives an instance the same
// partitions of both (TestStreamJoinTwoInstances), as long as no name is
// another's followed by "-" and more. A partition of right is read once
// the table holds it: instances configured with one client.id for all
// get random ids, and one may wait for ever, logging a warning every 30 s.
func JoinStreams[K, L, R any](ctx context.Context, name string, left *kafka.Topic[K, L], right *kafka.Topic[K, R], w JoinWindows, c JoinCodecs[K, L, R], opts *state.Options) (*StreamJoin[K, L, R], error) {
	where := fmt.Sprintf("window: join %s of %s with %s", name, left.Name(), right.Name())
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if c.Keys == nil || c.Left == nil || c.Right == nil {
		return nil, fmt.Errorf("%s: the JoinCodecs need Keys, Left and Right", where)
	}
	if left.Name() == right.Name() {
		return nil, fmt.Errorf("%s: a topic cannot be joined with itself (its two readers would share its partitions)", where)
	}
	if lg, rg := left.Conf()["group.id"], right.Conf()["group.id"]; lg != rg {
		return nil, fmt.Errorf("%s: the topics are read in groups %v and %v: they must be read in one", where, lg, rg)
	}
	if err := copartitioned(ctx, left, right.Name(), "topic"); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	table, err := NewTable(ctx, name, left, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	var logger *slog.Logger
	if opts != nil {
		logger = opts.Logger
	}
	j := &StreamJoin[K, L, R]{
		name: name, left: left, right: right, w: w, c: c, keys: newKeys(c.Keys), table: table,
		logger: cmp.Or(logger, slog.Default()), parts: map[int32]*joinPart{},
	}
	table.moved(j.forget)
	right.Listen(tableHeld{table.t.Held, name, j.logger})
	return j, nil
}

// HandleJoin binds j to app as the handler of its two topics, sending its
// pairs to sinks. Its writes to its state and its pairs are outputs of
// the message they come from: a message's offset is committed only once
// the state's changelog and the sinks have them. The two topics are
// handled at once, each by a handler of its own: the sinks must be safe
// for concurrent use.
func HandleJoin[K, L, R any](app *stream.App, j *StreamJoin[K, L, R], sinks ...stream.Sink[Pair[K, L, R]]) {
	outs := []stream.Sink[joinOutput[K, L, R]]{stateSinkOf(j.table, func(o *joinOutput[K, L, R]) (write, bool) {
		return o.write, !o.paired
	})}
	for _, s := range sinks {
		outs = append(outs, route(s, func(o *joinOutput[K, L, R]) (Pair[K, L, R], bool) {
			return o.pair, o.paired
		}))
	}
	stream.Handle(app, j.left, stream.YieldErr(j.handleLeft).Named(j.String()+" (left)"), outs...)
	stream.Handle(app, j.right, stream.YieldErr(j.handleRight).Named(j.String()+" (right)"), outs...)
}

// Late returns how many late records the join has seen: records it
// neither kept nor paired.
func (j *StreamJoin[K, L, R]) Late() int64 { return j.late.Load() }

// Table returns the join's state, to inspect it.
func (j *StreamJoin[K, L, R]) Table() *Table { return j.table }

// String describes j, as "join clicks with views within 5s".
func (j *StreamJoin[K, L, R]) String() string {
	return fmt.Sprintf("join %s with %s %v", j.left.Name(), j.right.Name(), j.w)
}

// part returns j's hold on partition p.
func (j *StreamJoin[K, L, R]) part(p int32) *joinPart {
	j.mu.Lock()
	defer j.mu.Unlock()
	jp := j.parts[p]
	if jp == nil {
		jp = &joinPart{now: noTime}
		jp.stale.Store(true)
		j.parts[p] = jp
	}
	return jp
}

// forget marks partitions ps, which came or went, stale.
func (j *StreamJoin[K, L, R]) forget(ps []int32) {
	for _, p := range ps {
		j.part(p).stale.Store(true)
	}
}
