package window

import "fmt"

// sliding adds v, at ts, to k's instant ts: the accumulator of k's records
// at that time. The window ending at ts, and those ending at k's later
// instants within the size, hold it. v is late when the window ending at
// ts has closed; it still counts in the later windows that are open, and
// is dropped (and counted) only when they have all closed.
func (r *run[T, K, A]) sliding(k K, ts int64, v T) (late bool, err error) {
	w := r.op.w
	size := int64(w.size)
	expires := ts + size + int64(w.grace) + 1 // when the last window holding ts closes
	if r.now >= expires {
		return true, nil
	}
	closes := w.closes(ts)
	late = r.now >= closes
	key, err := r.op.keys.window(k, ts)
	if err != nil {
		return late, err
	}
	b, found, err := r.get(key)
	if err != nil {
		return late, err
	}
	acc, err := r.decode(b, found)
	if err != nil {
		return late, err
	}
	enc, err := r.encode(r.op.agg.Fold(acc, v))
	if err != nil {
		return late, err
	}
	r.put(key, enc)
	if !found {
		// Deleted a nanosecond after the last window holding it closes:
		// that window's final result, due at the same stream time, reads
		// it first.
		r.indexed(key, expires+1, markExpire)
		if !late {
			r.indexed(key, closes, markClose)
		}
	}
	if r.op.emit == EmitUpdates {
		return late, r.slidingUpdates(k, ts)
	}
	return late, nil
}

// slidingUpdates sends the result of each open window of k that an
// instant at ts changed: those ending at ts and at k's later instants
// within the size.
func (r *run[T, K, A]) slidingUpdates(k K, ts int64) error {
	w := r.op.w
	ends, err := r.instants(k, ts, ts+int64(w.size))
	if err != nil {
		return err
	}
	for _, end := range ends {
		if r.now >= w.closes(end) {
			continue
		}
		if err := r.slidingResult(k, end, false); err != nil {
			return err
		}
	}
	return nil
}

// slidingResult sends the result of k's window ending at end: the merge
// of k's instants from end-size to end, both included.
func (r *run[T, K, A]) slidingResult(k K, end int64, final bool) error {
	start := end - int64(r.op.w.size)
	lo, hi, err := r.span(k, start, end)
	if err != nil {
		return err
	}
	it, err := r.op.st.iter(r.p)
	if err != nil {
		return err
	}
	it = it.Range(lo, hi)
	var acc A
	n := 0
	for b := range it.Values() {
		a, err := r.decode(b, true)
		if err != nil {
			return err
		}
		if n == 0 {
			acc = a
		} else {
			acc = r.op.agg.Merge(acc, a)
		}
		n++
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("window: %v: partition %d: %w", r.op.w, r.p, err)
	}
	if n == 0 {
		acc, _ = r.decode(nil, false)
	}
	r.result(k, start, end, acc, final)
	return nil
}

// instants returns the times of k's instants from lo to hi, both included.
func (r *run[T, K, A]) instants(k K, lo, hi int64) ([]int64, error) {
	from, to, err := r.span(k, lo, hi)
	if err != nil {
		return nil, err
	}
	it, err := r.op.st.iter(r.p)
	if err != nil {
		return nil, err
	}
	it = it.Range(from, to)
	var ts []int64
	for key := range it.Keys() {
		_, t, err := r.op.keys.decode(key)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("window: %v: partition %d: %w", r.op.w, r.p, err)
	}
	return ts, nil
}

// span returns the state keys bounding k's windows (or instants) that
// start from lo to hi, both included: lo's key, and the key after hi's.
func (r *run[T, K, A]) span(k K, lo, hi int64) (from, to []byte, err error) {
	if from, err = r.op.keys.window(k, lo); err != nil {
		return nil, nil, err
	}
	to, err = r.op.keys.window(k, hi+1)
	return from, to, err
}
