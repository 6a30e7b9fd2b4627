// Package ack counts the delivery of tracked items: a Token travels with an
// item from a tracked source (a Kafka message) through every step that
// derives outputs from it, and tells the source once every output has been
// accepted.
//
// Every step follows the same three rules, so that the count reaches zero
// exactly once, and only at the end:
//
//   - An item starts with a count of one: its own share, held by the step
//     that has it.
//   - A step that makes outputs of an item calls [Token.Derive] for each
//     before handing it on (a handler's output to an async sink, a
//     FlatMap's expansion, a Tee's copies); the output carries the token.
//   - A step calls [Token.Done] when it is done with its share: once it has
//     made every output of the item, when it drops the item (a Filter, a
//     handler that makes nothing: delivered at once), and a sink's done
//     function calls it once per output accepted.
//
// A nil *Token means untracked: every method is a no-op on nil, so untracked
// items pay one nil check and nothing else.
package ack

import "sync/atomic"

// A Token counts the outstanding outputs derived from one item. It starts at
// one (the item itself); each derived output adds one, and each acceptance or
// drop calls [Token.Done]. When the count reaches zero the callback runs, once.
type Token struct {
	pending  atomic.Int64
	accepted func()   // called when the count reaches zero; or else
	acceptor Acceptor // told seq then
	seq      uint64
}

// An Acceptor is told, by number, which items have been accepted: a source
// that tracks many items implements it once instead of making a function
// per item.
type Acceptor interface {
	Accept(seq uint64)
}

// New returns a token with a count of one that calls accepted when the count
// reaches zero.
func New(accepted func()) *Token {
	t := &Token{accepted: accepted}
	t.pending.Store(1)
	return t
}

// slabSize is how many tokens a [Slab] allocates at once.
const slabSize = 64

// A Slab makes tokens slabSize at a time, in one allocation instead of one
// each: for a source that tracks every item it writes. The garbage
// collector frees a slab once none of its tokens is referenced any more.
// A token whose count has reached zero by the time its item has gone as far
// as its writer's goroutine takes it is handed out again (see
// [Slab.Release]): then a source whose items are accepted at once, as they
// are when every sink is synchronous, uses one token for all of them.
// A Slab is for one goroutine at a time; its zero value is ready to use.
type Slab struct {
	free  []Token
	spare *Token // released with a count of zero: handed out next
}

// New returns a token with a count of one that calls a.Accept(seq) when
// the count reaches zero.
func (s *Slab) New(a Acceptor, seq uint64) *Token {
	t := s.next()
	t.accepted, t.acceptor, t.seq = nil, a, seq
	return t
}

// Release tells s that its caller holds t, a token s made, no more. If
// every output of t has been accepted, nothing else holds it either (a
// token is not used once its count reaches zero), and s hands it out
// again.
func (s *Slab) Release(t *Token) {
	if t.pending.Load() == 0 {
		s.spare = t
	}
}

func (s *Slab) next() *Token {
	if t := s.spare; t != nil {
		s.spare = nil
		t.pending.Store(1)
		return t
	}
	if len(s.free) == 0 {
		s.free = make([]Token, slabSize)
	}
	t := &s.free[0]
	s.free = s.free[1:]
	t.pending.Store(1)
	return t
}

// Group returns a token standing for all of ts together (a batch): when it is
// done, each of ts is done once. Nil entries are skipped; if every entry is
// nil, Group returns nil.
func Group(ts []*Token) *Token {
	var kept []*Token
	for _, t := range ts {
		if t != nil {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return New(func() {
		for _, t := range kept {
			t.Done()
		}
	})
}

// Accept marks one outstanding output as accepted, as Done does: a token
// is the Acceptor of an item derived from it (a Proxy's reader's copy).
func (t *Token) Accept(uint64) { t.Done() }

// Derive adds n outputs made of the item, each to be done on its own.
func (t *Token) Derive(n int) {
	if t != nil {
		t.pending.Add(int64(n))
	}
}

// Done marks one output as accepted, or the holder's share as finished.
func (t *Token) Done() {
	if t == nil {
		return
	}
	// Read before the count drops: once it reaches zero, a Slab may hand t
	// out again.
	accepted, acceptor, seq := t.accepted, t.acceptor, t.seq
	switch n := t.pending.Add(-1); {
	case n == 0:
		if acceptor != nil {
			acceptor.Accept(seq)
		} else {
			accepted()
		}
	case n < 0:
		panic("ack: Done called more often than Add")
	}
}
