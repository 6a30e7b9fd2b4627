package ckpt

import (
	"context"
	"sync"
)

// turns runs callbacks one at a time, in the order of the transitions that
// called for them, each in the goroutine (and with the context) of the
// Heartbeat or CheckPulse that made its transition. A ticket is taken while
// the checkpoint's operation lock is held, so tickets follow transitions;
// the callback runs once the operation lock is released, so that it can
// read the checkpoint, and so that operations without a callback to run
// never wait for one that is running.
type turns struct {
	mu      sync.Mutex
	issued  uint64          // the next ticket to hand out
	next    uint64          // the ticket whose turn it is
	skipped map[uint64]bool // tickets given up while waiting
	changed chan struct{}   // closed when next moves; nil until waited on
}

// ticket returns a new ticket, whose turn comes after every ticket before it.
func (t *turns) ticket() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.issued
	t.issued++
	return n
}

// wait returns nil once it is n's turn. If ctx ends first, it gives n up,
// so that later tickets do not wait for it, and returns ctx's error.
func (t *turns) wait(ctx context.Context, n uint64) error {
	t.mu.Lock()
	for t.next != n {
		if t.changed == nil {
			t.changed = make(chan struct{})
		}
		changed := t.changed
		t.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			t.mu.Lock()
			if t.next == n {
				t.advance(n)
			} else {
				if t.skipped == nil {
					t.skipped = make(map[uint64]bool)
				}
				t.skipped[n] = true
			}
			t.mu.Unlock()
			return context.Cause(ctx)
		}
		t.mu.Lock()
	}
	t.mu.Unlock()
	return nil
}

// done ends n's turn.
func (t *turns) done(n uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.advance(n)
}

func (t *turns) advance(n uint64) {
	t.next = n + 1
	for t.skipped[t.next] {
		delete(t.skipped, t.next)
		t.next++
	}
	if t.changed != nil {
		close(t.changed)
		t.changed = nil
	}
}
