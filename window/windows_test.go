package window_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/window"
)

// Tumbling windows include their start and exclude their end.
func TestTumblingBoundaries(t *testing.T) {
	op := newOp(t, window.Tumbling(10*time.Millisecond), memory(), window.EmitUpdates, nil)
	got := runOp(t, op, rec{"a", 0}, rec{"a", 9.999}, rec{"a", 10}, rec{"b", 19.999}, rec{"a", 20})
	expect(t, "results", got,
		"a [0,10]=1", "a [0,10]=2", "a [10,20]=1", "b [10,20]=1", "a [20,30]=1")
}

// Hopping windows include their start and exclude their end: a record at
// 10 is in [5,15) and [10,20), not in [0,10).
func TestHoppingBoundaries(t *testing.T) {
	op := newOp(t, window.Hopping(10*time.Millisecond, 5*time.Millisecond), memory(), window.EmitUpdates, nil)
	got := runOp(t, op, rec{"a", 5}, rec{"a", 10})
	expect(t, "results", got,
		"a [5,15]=1", "a [0,10]=1", "a [10,20]=1", "a [5,15]=2")
}

// A sliding window ending at e holds the records from e-size to e, both
// included.
func TestSlidingBoundaries(t *testing.T) {
	w := window.Sliding(3 * time.Millisecond).WithGrace(time.Second)
	op := newOp(t, w, memory(), window.EmitUpdates, nil)
	got := runOp(t, op, rec{"a", 0}, rec{"a", 3}, rec{"a", 3.001}, rec{"a", 2})
	expect(t, "results", got,
		"a [-3,0]=1",
		"a [0,3]=2", // 0 is exactly 3 before 3: in
		"a [0.001,3.001]=2",
		// 2 comes out of order: its own window, then the later ones
		// that hold it.
		"a [-1,2]=2", "a [0,3]=3", "a [0.001,3.001]=3")
}

// A session runs from its first record to its last, both included, and
// takes a record up to the gap after its end (or before its start).
func TestSessionBoundaries(t *testing.T) {
	op := newOp(t, window.Session(5*time.Millisecond).WithGrace(time.Second), memory(), window.EmitUpdates, nil)
	got := runOp(t, op, rec{"a", 0}, rec{"a", 5}, rec{"a", 10.001}, rec{"a", -5})
	expect(t, "results", got,
		"a [0,0]=1", "a [0,5]=2", "a [10.001,10.001]=1", "a [-5,5]=3")
}

// A record within the gap of two sessions merges them into one.
func TestSessionMerge(t *testing.T) {
	op := newOp(t, window.Session(5*time.Millisecond).WithGrace(time.Second), memory(), window.EmitFinal, nil)
	got := runOp(t, op, rec{"a", 0}, rec{"a", 2}, rec{"a", 10}, rec{"a", 12}, rec{"b", 6}, rec{"a", 6}, rec{"z", 2000})
	expect(t, "final results", got, "b [6,6]=1 final", "a [0,12]=5 final")
}

// Records out of order within the grace period count in their window.
func TestOutOfOrderWithinGrace(t *testing.T) {
	w := window.Tumbling(10 * time.Millisecond).WithGrace(5 * time.Millisecond)
	late := sink.Collect[rec]()
	op := newOp(t, w, memory(), window.EmitUpdates, late)
	got := runOp(t, op, rec{"a", 1}, rec{"a", 14.999}, rec{"a", 3})
	expect(t, "results", got, "a [0,10]=1", "a [10,20]=1", "a [0,10]=2")
	if op.Late() != 0 || late.Len() != 0 {
		t.Errorf("%d late records (%d sent to the late sink), want none", op.Late(), late.Len())
	}
}

// A record for a window closed by the grace period is late: counted, sent
// to the late sink, and in no result.
func TestLatePastGrace(t *testing.T) {
	w := window.Tumbling(10 * time.Millisecond).WithGrace(5 * time.Millisecond)
	late := sink.Collect[rec]()
	op := newOp(t, w, memory(), window.EmitUpdates, late)
	got := runOp(t, op, rec{"a", 1}, rec{"a", 15}, rec{"a", 3}, rec{"b", 9.999}, rec{"a", 10})
	expect(t, "results", got, "a [0,10]=1", "a [10,20]=1", "a [10,20]=2")
	if op.Late() != 2 {
		t.Errorf("counted %d late records, want 2", op.Late())
	}
	if got := late.Items(); len(got) != 2 || got[0] != (rec{"a", 3}) || got[1] != (rec{"b", 9.999}) {
		t.Errorf("the late sink got %v, want a at 3 and b at 9.999", got)
	}
}

// In EmitFinal mode each window sends one result, once stream time has
// passed its end and the grace period.
func TestEmitFinal(t *testing.T) {
	w := window.Tumbling(10 * time.Millisecond).WithGrace(2 * time.Millisecond)
	op := newOp(t, w, memory(), window.EmitFinal, nil)
	got := runOp(t, op, rec{"a", 0}, rec{"b", 5}, rec{"a", 11}, rec{"a", 9}, rec{"a", 12}, rec{"a", 30})
	expect(t, "results", got, "a [0,10]=2 final", "b [0,10]=1 final", "a [10,20]=2 final")
}

// New says what is missing or wrong.
func TestNewErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		w    window.Windows
		agg  window.Aggregate[rec, int64]
		want string
	}{
		{"no merge for sessions", window.Session(time.Second), window.Aggregate[rec, int64]{Fold: counting.Fold, Codec: codec.Int[int64]()}, "no Merge function"},
		{"no codec", window.Tumbling(time.Second), window.Aggregate[rec, int64]{Fold: counting.Fold}, "no Codec"},
		{"advance over size", window.Hopping(time.Second, 2*time.Second), counting, "advance must be positive and at most the size"},
		{"zero size", window.Tumbling(0), counting, "size must be positive"},
		{"negative grace", window.Tumbling(time.Second).WithGrace(-1), counting, "grace period -1ns is negative"},
		{"zero windows", window.Windows{}, counting, "the zero Windows"},
	} {
		_, err := window.New(c.w, recs, c.agg, memory(), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: New: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// A record late for one hopping window and in time for a later one is
// counted late, sent to the late sink, and counted in the later window.
func TestHoppingPartlyLate(t *testing.T) {
	late := sink.Collect[rec]()
	op := newOp(t, window.Hopping(10*time.Millisecond, 5*time.Millisecond), memory(), window.EmitUpdates, late)
	// At 12, [0,10) has closed and [5,15) is open: 7 is in both.
	got := runOp(t, op, rec{"a", 1}, rec{"a", 12}, rec{"a", 7})
	expect(t, "results", got,
		"a [0,10]=1", "a [-5,5]=1", "a [10,20]=1", "a [5,15]=1",
		"a [5,15]=2") // 7, in the open window only
	if op.Late() != 1 {
		t.Errorf("counted %d late records, want 1", op.Late())
	}
	if got := late.Items(); len(got) != 1 || got[0] != (rec{"a", 7}) {
		t.Errorf("the late sink got %v, want a at 7", got)
	}
}

// In EmitFinal mode a sliding window sends one result when it closes,
// holding every record from its start to its end, both included, those
// that came out of order within the grace period too.
func TestSlidingEmitFinal(t *testing.T) {
	w := window.Sliding(3 * time.Millisecond).WithGrace(time.Millisecond)
	op := newOp(t, w, memory(), window.EmitFinal, nil)
	got := runOp(t, op, rec{"a", 0}, rec{"a", 1}, rec{"b", 2}, rec{"a", 3}, rec{"a", 3.5}, rec{"a", 2.5}, rec{"z", 100})
	expect(t, "final results", got,
		"a [-3,0]=1 final",     // closed at 1+1: sent with a at 3
		"a [-2,1]=2 final",     // closed at 2+1
		"b [-1,2]=1 final",     // closed at 3+1, with a at 100
		"a [-0.5,2.5]=3 final", // 2.5 came after 3.5, within the grace period
		"a [0,3]=4 final",      // 0 is exactly 3 before 3: in
		"a [0.5,3.5]=4 final")
	if op.Late() != 0 {
		t.Errorf("%d late records, want none", op.Late())
	}
}
