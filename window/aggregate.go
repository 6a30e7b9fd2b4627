package window

import (
	"fmt"

	"github.com/slipstream-go/slipstream/codec"
)

// An Aggregate folds the records of a window into an accumulator of type
// A, which the window's state holds encoded with Codec.
//
// Fold must not modify the accumulator it is given in place when A holds
// references (a map, a slice): it may be the value of another window. It
// returns the new accumulator, as append does.
type Aggregate[V, A any] struct {
	// Init is the accumulator of an empty window.
	Init A
	// Fold adds a record to an accumulator.
	Fold func(acc A, v V) A
	// Merge combines two accumulators, a's records before b's. Sliding
	// windows need it, to combine the records of each instant, and so do
	// sessions, to join two sessions that a record bridges; tumbling and
	// hopping windows do not.
	Merge func(a, b A) A
	// Codec encodes accumulators in the window's state.
	Codec codec.Codec[A]
}

// Count returns the aggregate that counts a window's records.
func Count[V any]() Aggregate[V, int64] {
	return Aggregate[V, int64]{
		Fold:  func(n int64, _ V) int64 { return n + 1 },
		Merge: func(a, b int64) int64 { return a + b },
		Codec: codec.Int[int64](),
	}
}

// check reports what is missing from a for windows w.
func (a Aggregate[V, A]) check(w Windows) error {
	switch {
	case a.Fold == nil:
		return fmt.Errorf("window: %v: the aggregate has no Fold function", w)
	case a.Codec == nil:
		return fmt.Errorf("window: %v: the aggregate has no Codec for its accumulator", w)
	case a.Merge == nil && (w.kind == sliding || w.kind == session):
		return fmt.Errorf("window: %v: the aggregate has no Merge function, which %s windows need to combine accumulators", w, map[kind]string{sliding: "sliding", session: "session"}[w.kind])
	}
	return nil
}
