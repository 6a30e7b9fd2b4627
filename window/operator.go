package window

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipstream-go/slipstream/stream"
)

// Emit chooses when an operator sends a window's result.
type Emit uint8

const (
	// EmitUpdates sends a window's result after each record that changes
	// it (Kafka Streams' emit-eager).
	EmitUpdates Emit = iota
	// EmitFinal sends a window's result once, when it closes (Kafka
	// Streams' suppress-until-close), with [Result.Final] set.
	EmitFinal
)

// Options configure an [Operator]. A nil *Options means the defaults.
type Options[T any] struct {
	// Emit chooses when results are sent; default EmitUpdates.
	Emit Emit
	// Late receives the late records (see the package documentation), as
	// outputs of the operator: a record's offset is committed once its
	// late sink has it. Late records are counted whether or not it is set.
	Late stream.Sink[T]
	// Logger receives a line for each late record; default slog.Default().
	Logger *slog.Logger
}

// An Operator aggregates the records of a stream of T in windows per key
// of type K, into accumulators of type A. Make one with [New] and bind it
// to a stream with [Handle]. It is safe for use by several goroutines, one
// per partition.
type Operator[T, K, A any] struct {
	w       Windows
	in      Input[T, K]
	agg     Aggregate[T, A]
	init    []byte // agg.Init, encoded: each window starts from a fresh copy
	st      State
	keys    keys[K]
	emit    Emit
	late    stream.Sink[T]
	logger  *slog.Logger
	lateN   atomic.Int64
	lateLog lateLog
	partOf  func(T) int32
	scanMax int // the most closed windows one record's expiry handles

	mu     sync.Mutex
	clocks map[int32]*clock
}

// New returns an operator that aggregates the records that in reads with
// agg, in windows w, keeping its state in st.
func New[T, K, A any](w Windows, in Input[T, K], agg Aggregate[T, A], st State, opts *Options[T]) (*Operator[T, K, A], error) {
	if opts == nil {
		opts = &Options[T]{}
	}
	if err := w.check(); err != nil {
		return nil, err
	}
	if err := agg.check(w); err != nil {
		return nil, err
	}
	switch {
	case in.Key == nil || in.Keys == nil || in.Time == nil:
		return nil, fmt.Errorf("window: %v: the Input needs Key, Keys and Time", w)
	case st == nil:
		return nil, fmt.Errorf("window: %v: no State", w)
	case opts.Emit > EmitFinal:
		return nil, fmt.Errorf("window: %v: Emit %d is neither EmitUpdates nor EmitFinal", w, opts.Emit)
	}
	init, err := agg.Codec.Encode(agg.Init)
	if err != nil {
		return nil, fmt.Errorf("window: %v: encoding the aggregate's Init: %w", w, err)
	}
	op := &Operator[T, K, A]{
		w: w, in: in, agg: agg, init: init, st: st, keys: newKeys(in.Keys),
		emit: opts.Emit, late: opts.Late, logger: cmp.Or(opts.Logger, slog.Default()),
		partOf: in.Partition, scanMax: 10000, clocks: map[int32]*clock{},
	}
	if _, local := st.(cacheState); local || op.partOf == nil {
		op.partOf = func(T) int32 { return 0 }
	}
	st.moved(op.forget)
	return op, nil
}

// Late returns how many late records the operator has seen.
func (op *Operator[T, K, A]) Late() int64 { return op.lateN.Load() }

// String describes the operator, as "window tumbling(1m0s)".
func (op *Operator[T, K, A]) String() string { return "window " + op.w.String() }

// A clock is the stream time of one partition.
type clock struct {
	now   int64 // the largest event time seen, or noTime
	saved int64 // the stream time in the state
	next  int64 // when the earliest window of the index closes; noTime if unknown
}

// clock returns the clock of partition p, read from the state the first
// time p is seen since it came to this instance.
func (op *Operator[T, K, A]) clock(p int32) (*clock, error) {
	op.mu.Lock()
	c := op.clocks[p]
	op.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c = &clock{now: noTime, saved: noTime, next: noTime}
	b, ok, err := op.st.get(p, streamTimeKey)
	if err != nil {
		return nil, fmt.Errorf("window: partition %d: reading stream time: %w", p, err)
	}
	if ok {
		if c.now, err = fromNanos(b); err != nil {
			return nil, fmt.Errorf("window: partition %d: stream time: %w", p, err)
		}
		c.saved = c.now
	}
	op.mu.Lock()
	op.clocks[p] = c
	op.mu.Unlock()
	return c, nil
}

// forget drops the clocks of partitions ps, which came or went: the next
// record of one reads its clock from the state again.
func (op *Operator[T, K, A]) forget(ps []int32) {
	op.mu.Lock()
	defer op.mu.Unlock()
	for _, p := range ps {
		delete(op.clocks, p)
	}
}

// StreamTime returns the stream time of partition p: the largest event
// time of its records so far, or the zero time before the first.
func (op *Operator[T, K, A]) StreamTime(p int32) time.Time {
	op.mu.Lock()
	defer op.mu.Unlock()
	c := op.clocks[p]
	if c == nil || c.now == noTime {
		return time.Time{}
	}
	return time.Unix(0, c.now).UTC()
}

// minTime and maxTime bound the event times an operator takes: those of
// Unix nanoseconds in an int64, less a margin for window arithmetic.
var (
	minTime = time.Unix(0, math.MinInt64/2)
	maxTime = time.Unix(0, math.MaxInt64/2)
)
