package window

import (
	"fmt"
	"math"
)

// A due index entry: a window that has closed.
type due struct {
	index, window []byte
	mark          byte
}

// expire handles the windows that have closed by stream time r.now, in the
// order they closed: it sends each one's final result, in EmitFinal mode,
// and deletes it and its index entry, so that the state holds the open
// windows only. It handles at most scanMax at once, leaving the rest to
// the next record, and then notes when the next window closes.
func (r *run[T, K, A]) expire() error {
	it, err := r.op.st.iter(r.p)
	if err != nil {
		return err
	}
	it = it.Range(indexStart, indexTo(r.now))
	var dues []due
	for x, mark := range it.Items() {
		if len(dues) == r.op.scanMax {
			break
		}
		w, _, err := fromIndex(x)
		if err != nil {
			return err
		}
		if len(mark) != 1 {
			return fmt.Errorf("window: %v: partition %d: index entry %q has a mark of %d bytes", r.op.w, r.p, x, len(mark))
		}
		dues = append(dues, due{index: x, window: w, mark: mark[0]})
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("window: %v: partition %d: %w", r.op.w, r.p, err)
	}
	for _, d := range dues {
		if err := r.close(d); err != nil {
			return err
		}
	}
	next, err := r.nextClose()
	if err != nil {
		return err
	}
	r.c.next = next
	return nil
}

// close handles one closed window.
func (r *run[T, K, A]) close(d due) error {
	op := r.op
	if d.mark == markClose && op.emit == EmitFinal {
		if err := r.final(d.window); err != nil {
			return err
		}
	}
	if d.mark == markExpire || op.w.kind != sliding {
		r.del(d.window)
	}
	r.del(d.index)
	return nil
}

// final sends the final result of the window at state key w.
func (r *run[T, K, A]) final(w []byte) error {
	op := r.op
	k, start, err := op.keys.decode(w)
	if err != nil {
		return err
	}
	if op.w.kind == sliding {
		return r.slidingResult(k, start, true)
	}
	b, found, err := r.get(w)
	if err != nil || !found {
		return err // a window indexed and not there: nothing to send
	}
	end := start + int64(op.w.size)
	if op.w.kind == session {
		if end, err = fromNanos(b); err != nil {
			return err
		}
		b = b[8:]
	}
	acc, err := r.decode(b, true)
	if err != nil {
		return err
	}
	r.result(k, start, end, acc, true)
	return nil
}

// nextClose returns when the earliest window of the index closes, or
// math.MaxInt64 if there is none.
func (r *run[T, K, A]) nextClose() (int64, error) {
	it, err := r.op.st.iter(r.p)
	if err != nil {
		return 0, err
	}
	first, err := it.Range(indexStart, indexEnd).First()
	if err != nil {
		return 0, fmt.Errorf("window: %v: partition %d: %w", r.op.w, r.p, err)
	}
	e, ok := first.Get()
	if !ok {
		return math.MaxInt64, nil
	}
	_, closes, err := fromIndex(e.Key)
	return closes, err
}
