package kafka

import (
	"math/rand/v2"
	"testing"
)

// commitOf returns the offset t would commit, or -1.
func commitOf(t *tracker) int64 {
	off, ok := t.take(true)
	if !ok {
		return -1
	}
	return off
}

func TestTrackerCommitsTheLongestAcceptedPrefix(t *testing.T) {
	tr := newTracker(0)
	offsets := []int64{10, 11, 13, 20} // gaps, as compaction leaves them
	seqs := make([]uint64, len(offsets))
	for i, off := range offsets {
		seqs[i] = tr.push(off)
	}
	tr.Accept(seqs[1])
	if got := commitOf(tr); got != -1 {
		t.Fatalf("commit %d with the first message waiting, want none", got)
	}
	tr.Accept(seqs[0])
	if got := commitOf(tr); got != 12 {
		t.Fatalf("commit %d after the first two, want 12", got)
	}
	tr.Accept(seqs[3])
	tr.Accept(seqs[2])
	if got := commitOf(tr); got != 21 {
		t.Fatalf("commit %d after all, want 21", got)
	}
	if waiting, moved := tr.inFlight(); waiting != 0 || moved != 4 {
		t.Fatalf("inFlight = %d, %d; want 0, 4", waiting, moved)
	}
}

// TestTrackerRingWrapsAndGrows accepts in a shuffled order within windows
// that move along, so that the ring wraps and grows while wrapped, and
// checks the commit against a plain count.
func TestTrackerRingWrapsAndGrows(t *testing.T) {
	tr := newTracker(0)
	r := rand.New(rand.NewPCG(1, 2))
	var next int64
	var waiting []uint64
	accepted := map[uint64]bool{}
	var firstWaiting uint64
	for round := range 200 {
		for range r.IntN(3 * (round%40 + 1)) {
			waiting = append(waiting, tr.push(next))
			next++
		}
		r.Shuffle(len(waiting), func(i, j int) { waiting[i], waiting[j] = waiting[j], waiting[i] })
		k := r.IntN(len(waiting) + 1)
		for _, seq := range waiting[:k] {
			tr.Accept(seq)
			accepted[seq] = true
		}
		waiting = waiting[k:]
		for accepted[firstWaiting] {
			firstWaiting++
		}
		// Offsets equal sequence numbers here: the commit is one past the
		// last of the accepted prefix.
		want := int64(firstWaiting)
		if firstWaiting == 0 {
			want = -1
		}
		if got := commitOf(tr); got != want {
			t.Fatalf("round %d: commit %d, want %d", round, got, want)
		}
		if n, _ := tr.inFlight(); n != int(uint64(next)-firstWaiting) {
			t.Fatalf("round %d: %d waiting, want %d", round, n, uint64(next)-firstWaiting)
		}
	}
}

func TestTrackerIgnoresUnknownSequenceNumbers(t *testing.T) {
	tr := newTracker(0)
	s := tr.push(5)
	tr.Accept(s + 1) // never pushed
	tr.Accept(s)
	tr.Accept(s) // twice
	if got := commitOf(tr); got != 6 {
		t.Fatalf("commit %d, want 6", got)
	}
}

func TestTrackerPushAndAcceptAllocateNothingOnceGrown(t *testing.T) {
	tr := newTracker(0)
	tr.Accept(tr.push(0))
	var off int64
	allocs := testing.AllocsPerRun(1000, func() {
		off++
		tr.Accept(tr.push(off))
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per message", allocs)
	}
}
