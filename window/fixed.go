package window

// fixed aggregates v, at ts, into each tumbling or hopping window of key k
// that holds ts and is still open. It reports whether one of them has
// closed: then v is late.
func (r *run[T, K, A]) fixed(k K, ts int64, v T) (late bool, err error) {
	w := r.op.w
	adv, size := int64(w.advance), int64(w.size)
	for start := ts - mod(ts, adv); start > ts-size; start -= adv {
		end := start + size
		closes := w.closes(end)
		if r.now >= closes {
			late = true
			continue
		}
		if err := r.add(k, start, end, closes, v); err != nil {
			return late, err
		}
	}
	return late, nil
}

// add folds v into k's window from start to end, making it if it is new.
func (r *run[T, K, A]) add(k K, start, end, closes int64, v T) error {
	key, err := r.op.keys.window(k, start)
	if err != nil {
		return err
	}
	b, found, err := r.get(key)
	if err != nil {
		return err
	}
	acc, err := r.decode(b, found)
	if err != nil {
		return err
	}
	acc = r.op.agg.Fold(acc, v)
	enc, err := r.encode(acc)
	if err != nil {
		return err
	}
	r.put(key, enc)
	if !found {
		r.indexed(key, closes, markClose)
	}
	if r.op.emit == EmitUpdates {
		r.result(k, start, end, acc, false)
	}
	return nil
}
