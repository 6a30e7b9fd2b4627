package kafka

import (
	"sync"
	"sync/atomic"
)

// A tracker follows the messages of one assigned partition from the moment
// they are written to the stream until every output derived from them has
// been accepted, and computes the offset that may be committed: one past
// the last message of the longest accepted prefix, in the order the
// messages were read. Offsets need not be contiguous (compaction and
// transaction markers leave gaps), so it orders messages by sequence number.
//
// A partition gets a new tracker each time it is assigned or sought; the
// old one goes stale, and what is accepted through it no longer counts.
//
// The waiting messages are kept in a ring that keeps its size (the most
// that waited at once), so that a partition whose messages are accepted as
// fast as they come allocates nothing per message.
type tracker struct {
	partition int32

	mu     sync.Mutex
	ring   []slot // the waiting messages, oldest at ring[head], wrapping; its length a power of two
	head   int
	n      int         // how many messages wait
	first  uint64      // the sequence number of the oldest waiting message
	commit int64       // offset to commit; -1 until a message is accepted
	dirty  bool        // commit changed since it was last taken
	stale  atomic.Bool // read without mu on the hot path
	moved  uint64      // how many messages have been accepted in order, for Close
}

type slot struct {
	offset   int64
	accepted bool
}

func newTracker(partition int32) *tracker {
	return &tracker{partition: partition, commit: -1}
}

// at returns the slot of the i-th waiting message.
func (t *tracker) at(i int) *slot {
	return &t.ring[(t.head+i)&(len(t.ring)-1)] // a mask, not %: a division per message costs
}

// push records that the message at offset was written, and returns its
// sequence number.
func (t *tracker) push(offset int64) uint64 {
	t.mu.Lock() // no defer: this runs once per message, and nothing here panics
	if t.n == len(t.ring) {
		t.grow()
	}
	*t.at(t.n) = slot{offset: offset}
	t.n++
	seq := t.first + uint64(t.n-1)
	t.mu.Unlock()
	return seq
}

// grow doubles the ring, moving the waiting messages to its start.
func (t *tracker) grow() {
	ring := make([]slot, max(16, 2*len(t.ring))) // a power of two, for at's mask
	for i := range t.n {
		ring[i] = *t.at(i)
	}
	t.ring, t.head = ring, 0
}

// Accept records that every output of message seq has been accepted. It
// implements [streamio.Acceptor].
func (t *tracker) Accept(seq uint64) {
	t.mu.Lock() // no defer: this runs once per message, and accept does not panic
	t.accept(seq)
	t.mu.Unlock()
}

// accept is Accept with t.mu held.
func (t *tracker) accept(seq uint64) {
	if seq < t.first || seq-t.first >= uint64(t.n) {
		return // from before a reset
	}
	t.at(int(seq - t.first)).accepted = true
	done := 0
	for done < t.n && t.at(done).accepted {
		done++
	}
	if done == 0 {
		return
	}
	t.commit = t.at(done-1).offset + 1
	t.dirty = true
	t.moved += uint64(done)
	t.first += uint64(done)
	t.head = (t.head + done) & (len(t.ring) - 1)
	t.n -= done
}

// Discarded reports whether message seq is no longer wanted: the
// partition was revoked or sought since it was read, and t replaced. It
// implements [streamio.Discarder], asked once a paused stream resumes.
func (t *tracker) Discarded(uint64) bool { return t.isStale() }

// take returns the offset to commit, and whether it changed since the last
// take (or, with all, whether there is one at all). A stale tracker has
// nothing to commit.
func (t *tracker) take(all bool) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stale.Load() || t.commit < 0 || !(t.dirty || all) {
		return 0, false
	}
	t.dirty = false
	return t.commit, true
}

// retire makes t stale and returns its final offset to commit, if any.
func (t *tracker) retire() (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stale.Load() {
		return 0, false
	}
	t.stale.Store(true)
	return t.commit, t.commit >= 0
}

// isStale reports whether t has been replaced.
func (t *tracker) isStale() bool { return t.stale.Load() }

// inFlight returns how many written messages wait for acceptance, and how
// many have been accepted in order so far.
func (t *tracker) inFlight() (waiting int, moved uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stale.Load() {
		return 0, t.moved
	}
	return t.n, t.moved
}
