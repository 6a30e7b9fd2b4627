package window

import (
	"context"
	"fmt"
	"time"
)

// outKind says which of an output's fields is set.
type outKind uint8

const (
	outWrite outKind = iota
	outResult
	outLate
)

// An output is what the operator's handler makes from a record: a write
// to its state, a result, or the record itself, late. The app sends each
// to every sink the operator is bound to, and each sink takes its kind.
type output[T, K, A any] struct {
	kind   outKind
	write  write
	result Result[K, A]
	late   T
}

// A run is the handling of one record.
type run[T, K, A any] struct {
	op   *Operator[T, K, A]
	ctx  context.Context
	emit func(output[T, K, A])
	p    int32
	c    *clock
	now  int64 // stream time, this record included
}

// handle aggregates record v into its windows, then closes the windows
// that its event time closes.
func (op *Operator[T, K, A]) handle(ctx context.Context, v T, emit func(output[T, K, A])) error {
	p := op.partOf(v)
	t := op.in.Time(v)
	k := op.in.Key(v)
	if t.Before(minTime) || t.After(maxTime) {
		return fmt.Errorf("window: %v: record of key %v in partition %d: event time %v is out of range (%v to %v)", op.w, k, p, t, minTime.UTC(), maxTime.UTC())
	}
	c, err := op.clock(p)
	if err != nil {
		return err
	}
	ts := t.UnixNano()
	r := &run[T, K, A]{op: op, ctx: ctx, emit: emit, p: p, c: c, now: max(c.now, ts)}
	var late bool
	switch op.w.kind {
	case sliding:
		late, err = r.sliding(k, ts, v)
	case session:
		late, err = r.session(k, ts, v)
	default:
		late, err = r.fixed(k, ts, v)
	}
	if err != nil {
		return err
	}
	if late {
		op.lateN.Add(1)
		op.lateLog.log(op.logger, "windows", op.w.String(), "key", k, "time", t.UTC(), "stream_time", time.Unix(0, c.now).UTC(), "partition", p)
		if op.late != nil {
			emit(output[T, K, A]{kind: outLate, late: v})
		}
	}
	return r.advance()
}

// advance moves the partition's stream time to r.now, stores it when a
// restart needs it, and closes the windows due.
func (r *run[T, K, A]) advance() error {
	op, c := r.op, r.c
	if r.now > c.now {
		op.mu.Lock()
		c.now = r.now
		op.mu.Unlock()
	}
	if c.now > c.saved && r.mustSave() {
		r.put(streamTimeKey, nanos(c.now))
		c.saved = c.now
	}
	if c.now >= c.next {
		return r.expire()
	}
	return nil
}

// mustSave reports whether stream time must be stored now: whether a
// window may have closed between the stored stream time and now. Fixed
// windows close only at the ends of windows plus the grace period, so
// storing stream time as it passes each of them keeps every decision
// after a restart as it would have been; sliding and session windows may
// close at any time.
func (r *run[T, K, A]) mustSave() bool {
	w, c := r.op.w, r.c
	if w.kind == sliding || w.kind == session || c.saved == noTime {
		return true
	}
	adv := int64(w.advance)
	phase := mod(int64(w.size)+int64(w.grace), adv)
	return floorDiv(c.now-phase, adv) > floorDiv(c.saved-phase, adv)
}

// put writes v under k in the state.
func (r *run[T, K, A]) put(k, v []byte) {
	r.emit(output[T, K, A]{kind: outWrite, write: write{p: r.p, key: k, value: v}})
}

// del deletes k from the state.
func (r *run[T, K, A]) del(k []byte) {
	r.emit(output[T, K, A]{kind: outWrite, write: write{p: r.p, key: k, del: true}})
}

// indexed adds window key w to the index, to be handled by mark when
// stream time reaches closes.
func (r *run[T, K, A]) indexed(w []byte, closes int64, mark byte) {
	r.put(index(w, closes), []byte{mark})
	if r.c.next != noTime {
		r.c.next = min(r.c.next, closes)
	}
}

// result sends the result of k's window from start to end.
func (r *run[T, K, A]) result(k K, start, end int64, acc A, final bool) {
	r.emit(output[T, K, A]{kind: outResult, result: Result[K, A]{
		Key: k, Start: time.Unix(0, start).UTC(), End: time.Unix(0, end).UTC(), Value: acc, Final: final,
	}})
}

// get returns the bytes of state key k, if it is there.
func (r *run[T, K, A]) get(k []byte) ([]byte, bool, error) {
	b, ok, err := r.op.st.get(r.p, k)
	if err != nil {
		return nil, false, fmt.Errorf("window: %v: partition %d: %w", r.op.w, r.p, err)
	}
	return b, ok, nil
}

// decode decodes an accumulator; found false means a new window, which
// starts from a fresh Init.
func (r *run[T, K, A]) decode(b []byte, found bool) (A, error) {
	if !found {
		b = r.op.init
	}
	acc, err := r.op.agg.Codec.Decode(b)
	if err != nil {
		return acc, fmt.Errorf("window: %v: partition %d: decoding an accumulator: %w", r.op.w, r.p, err)
	}
	return acc, nil
}

// encode encodes an accumulator.
func (r *run[T, K, A]) encode(acc A) ([]byte, error) {
	b, err := r.op.agg.Codec.Encode(acc)
	if err != nil {
		return nil, fmt.Errorf("window: %v: encoding an accumulator: %w", r.op.w, err)
	}
	return b, nil
}

// floorDiv is a/b rounded down, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
