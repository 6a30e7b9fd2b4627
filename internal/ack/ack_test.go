package ack

import "testing"

type recorder []uint64

func (r *recorder) Accept(seq uint64) { *r = append(*r, seq) }

// TestSlabTokensAreIndependent takes more tokens than a slab holds from one
// Slab: each must count on its own and fire its own callback once.
func TestSlabTokensAreIndependent(t *testing.T) {
	var s Slab
	var r, odd recorder
	tokens := make([]*Token, 3*slabSize)
	for i := range tokens {
		if i%2 == 0 {
			tokens[i] = s.New(&r, uint64(i))
		} else {
			tokens[i] = s.New(&odd, uint64(i))
		}
		tokens[i].Derive(1) // one output more
	}
	for i := len(tokens) - 1; i >= 0; i-- {
		tokens[i].Done()
	}
	if len(r) != 0 || len(odd) != 0 {
		t.Fatalf("acceptors told with an output outstanding: %v, %v", r, odd)
	}
	for _, tok := range tokens {
		tok.Done()
	}
	if len(r) != len(tokens)/2 || len(odd) != len(tokens)/2 {
		t.Fatalf("told %v and %v, want %d of each", r, odd, len(tokens)/2)
	}
	for i, seq := range r {
		if seq != uint64(2*i) {
			t.Fatalf("told %v, want the even numbers in order", r)
		}
	}
}

// TestSlabAllocatesOncePerSlab checks the point of a Slab.
func TestSlabAllocatesOncePerSlab(t *testing.T) {
	var s Slab
	var r recorder
	allocs := testing.AllocsPerRun(10*slabSize, func() { s.New(&r, 1) })
	if allocs > 2.0/slabSize {
		t.Fatalf("%.3f allocations per token, want one per %d tokens", allocs, slabSize)
	}
}

// TestSlabHandsOutAReleasedTokenOnceItsCountIsZero: a token released while
// an output is outstanding must not come back; one released with a count
// of zero must, counting afresh for its new item.
func TestSlabHandsOutAReleasedTokenOnceItsCountIsZero(t *testing.T) {
	var s Slab
	var r recorder
	busy := s.New(&r, 1)
	busy.Derive(1) // an output still outstanding
	busy.Done()
	s.Release(busy)
	if again := s.New(&r, 2); again == busy {
		t.Fatal("a token with an output outstanding was handed out again")
	} else {
		again.Done()
		s.Release(again)
		if next := s.New(&r, 3); next != again {
			t.Fatal("a token whose count reached zero was not handed out again")
		} else {
			next.Done()
		}
	}
	busy.Done()
	if want := (recorder{2, 3, 1}); len(r) != 3 || r[0] != want[0] || r[1] != want[1] || r[2] != want[2] {
		t.Fatalf("told %v, want %v", r, want)
	}
}
