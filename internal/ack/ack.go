// Package ack implements delivery tracking: a Token travels with an item from a
// tracked source (a Kafka message) through every stage that derives outputs
// from it, and fires its callback once every output has been accepted.
//
// A nil *Token means "untracked": every method is a no-op on nil, so untracked
// items pay one nil check and nothing else.
package ack

import "sync/atomic"

// A Token counts the outstanding outputs derived from one item. It starts at
// one (the item itself); each derived output adds one, and each acceptance or
// drop calls [Token.Done]. When the count reaches zero the callback runs, once.
type Token struct {
	pending  atomic.Int64
	accepted func()
}

// New returns a token with a count of one that calls accepted when the count
// reaches zero.
func New(accepted func()) *Token {
	t := &Token{accepted: accepted}
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

// Add adds n outstanding outputs.
func (t *Token) Add(n int) {
	if t != nil {
		t.pending.Add(int64(n))
	}
}

// Done marks one outstanding output (or the item itself) as accepted.
func (t *Token) Done() {
	if t == nil {
		return
	}
	switch n := t.pending.Add(-1); {
	case n == 0:
		t.accepted()
	case n < 0:
		panic("ack: Done called more often than Add")
	}
}
