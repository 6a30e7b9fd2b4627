package window

import (
	"fmt"
	"slices"
)

// A stored session: its key in the state, its times and accumulator.
type storedSession struct {
	key        []byte
	start, end int64
	acc        []byte
}

// session adds v, at ts, to k's session: a new one, one it is within the
// gap of, or, when it is within the gap of two or more, the one they
// merge into. v is late when that session has closed.
func (r *run[T, K, A]) session(k K, ts int64, v T) (late bool, err error) {
	w := r.op.w
	near, err := r.sessionsNear(k, ts)
	if err != nil {
		return false, err
	}
	start, end := ts, ts
	for _, s := range near {
		start, end = min(start, s.start), max(end, s.end)
	}
	closes := w.closes(end)
	if r.now >= closes {
		return true, nil
	}
	acc, err := r.mergeSessions(near)
	if err != nil {
		return false, err
	}
	acc = r.op.agg.Fold(acc, v)
	enc, err := r.encode(acc)
	if err != nil {
		return false, err
	}
	key, err := r.op.keys.window(k, start)
	if err != nil {
		return false, err
	}
	for _, s := range near {
		if !slices.Equal(s.key, key) {
			r.del(s.key)
		}
		if old := w.closes(s.end); old != closes || !slices.Equal(s.key, key) {
			r.del(index(s.key, old))
		}
	}
	r.put(key, append(nanos(end), enc...))
	r.indexed(key, closes, markClose)
	if r.op.emit == EmitUpdates {
		r.result(k, start, end, acc, false)
	}
	return false, nil
}

// sessionsNear returns k's sessions within the gap of ts, in time order.
// Sessions of a key never overlap, so those that start up to ts+gap,
// walked back from the latest, are near until the first that ends before
// ts-gap.
func (r *run[T, K, A]) sessionsNear(k K, ts int64) ([]storedSession, error) {
	gap := int64(r.op.w.gap)
	from, to, err := r.span(k, noTime, ts+gap)
	if err != nil {
		return nil, err
	}
	it, err := r.op.st.iter(r.p)
	if err != nil {
		return nil, err
	}
	it = it.Range(from, to).Reverse()
	var near []storedSession
	for key, b := range it.Items() {
		_, start, err := r.op.keys.decode(key)
		if err != nil {
			return nil, err
		}
		end, err := fromNanos(b)
		if err != nil {
			return nil, fmt.Errorf("window: %v: session %q: %w", r.op.w, key, err)
		}
		if end < ts-gap {
			break
		}
		near = append(near, storedSession{key: key, start: start, end: end, acc: b[8:]})
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("window: %v: partition %d: %w", r.op.w, r.p, err)
	}
	slices.Reverse(near)
	return near, nil
}

// mergeSessions returns the merge of the sessions' accumulators, in time
// order, or a fresh Init if there are none.
func (r *run[T, K, A]) mergeSessions(ss []storedSession) (A, error) {
	acc, err := r.decode(nil, false)
	for i, s := range ss {
		a, err := r.decode(s.acc, true)
		if err != nil {
			return acc, err
		}
		if i == 0 {
			acc = a
		} else {
			acc = r.op.agg.Merge(acc, a)
		}
	}
	return acc, err
}
