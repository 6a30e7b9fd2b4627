package window

import (
	"fmt"
	"time"
)

// kind is what a [Windows] value describes.
type kind uint8

const (
	tumbling kind = iota + 1
	hopping
	sliding
	session
)

// Windows says which windows a record belongs to, and how long after its
// end a window still takes late records (its grace period). Make one with
// [Tumbling], [Hopping], [Sliding] or [Session]; the zero Windows is not
// valid.
type Windows struct {
	kind    kind
	size    time.Duration // tumbling, hopping, sliding
	advance time.Duration // hopping (tumbling: size)
	gap     time.Duration // session
	grace   time.Duration
}

// Tumbling returns windows of the given size, one after another: [start,
// start+size), the start included and the end excluded, aligned on the
// Unix epoch. Each record is in exactly one.
func Tumbling(size time.Duration) Windows {
	return Windows{kind: tumbling, size: size, advance: size}
}

// Hopping returns windows of the given size that start every advance:
// [start, start+size), the start included and the end excluded, aligned
// on the Unix epoch. A record is in size/advance of them (rounded up).
func Hopping(size, advance time.Duration) Windows {
	return Windows{kind: hopping, size: size, advance: advance}
}

// Sliding returns one window ending at each record, holding the records
// of its key at times t with end-size <= t <= end: both ends included, as
// in the original's cookbook. A record is in the window ending at it, and
// in those ending at the later records of its key within size.
func Sliding(size time.Duration) Windows {
	return Windows{kind: sliding, size: size}
}

// Session returns session windows: the records of a key whose times are
// within gap of each other, one after another, make one session, from the
// first record's time to the last's, both included. A record that falls
// within gap of two sessions merges them into one.
func Session(gap time.Duration) Windows {
	return Windows{kind: session, gap: gap}
}

// WithGrace returns w with a grace period of d: a window closes once
// stream time has passed its end by more than d, and until then it takes
// records that arrive out of order. The default is no grace.
func (w Windows) WithGrace(d time.Duration) Windows {
	w.grace = d
	return w
}

// Grace returns w's grace period.
func (w Windows) Grace() time.Duration { return w.grace }

// String describes w, as "tumbling(1m0s) grace 10s".
func (w Windows) String() string {
	var s string
	switch w.kind {
	case tumbling:
		s = fmt.Sprintf("tumbling(%v)", w.size)
	case hopping:
		s = fmt.Sprintf("hopping(%v every %v)", w.size, w.advance)
	case sliding:
		s = fmt.Sprintf("sliding(%v)", w.size)
	case session:
		s = fmt.Sprintf("session(gap %v)", w.gap)
	default:
		return "windows(invalid)"
	}
	if w.grace > 0 {
		s += fmt.Sprintf(" grace %v", w.grace)
	}
	return s
}

// check reports what is wrong with w, if anything.
func (w Windows) check() error {
	switch {
	case w.kind == 0:
		return fmt.Errorf("window: the zero Windows: make one with Tumbling, Hopping, Sliding or Session")
	case w.kind == session && w.gap <= 0:
		return fmt.Errorf("window: %v: the gap must be positive", w)
	case w.kind != session && w.size <= 0:
		return fmt.Errorf("window: %v: the size must be positive", w)
	case w.kind == hopping && (w.advance <= 0 || w.advance > w.size):
		return fmt.Errorf("window: %v: the advance must be positive and at most the size", w)
	case w.grace < 0:
		return fmt.Errorf("window: %v: the grace period %v is negative", w, w.grace)
	}
	return nil
}

// starts calls fn with the start of each fixed (tumbling or hopping)
// window that holds an event at t, in Unix nanoseconds, latest first.
func (w Windows) starts(t int64, fn func(start int64)) {
	adv, size := int64(w.advance), int64(w.size)
	last := t - mod(t, adv)
	for s := last; s > t-size; s -= adv {
		fn(s)
	}
}

// closes returns when a window ending at end closes: the first stream
// time at which it takes no more records. Fixed windows exclude their
// end, so they close at end+grace; sliding and session windows include
// it, and close just after (a session also waits out its gap, in which
// the next record would still join it).
func (w Windows) closes(end int64) int64 {
	switch w.kind {
	case sliding:
		return end + int64(w.grace) + 1
	case session:
		return end + int64(w.gap) + int64(w.grace) + 1
	default:
		return end + int64(w.grace)
	}
}

// mod is a modulo that is never negative, for times before the epoch.
func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
