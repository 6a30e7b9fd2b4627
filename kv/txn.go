package kv

import (
	"context"
	"fmt"
	"sync"
)

// Transaction runs fn while holding key k exclusively: other transactions
// on k, from any goroutine, wait for it and then run one at a time, in the
// order they came; transactions on other keys never wait for it. Plain
// reads and writes ignore transactions, so read-modify-write code must
// write k only inside them. The package doc has an example.
//
// Waiting ends when ctx is done: Transaction then returns an error that
// wraps ctx's error, without running fn; otherwise it returns fn's. A
// transaction is not reentrant: one on k inside another on k waits until
// ctx ends. fn's writes are not atomic (use a [Batch] for that): a crash
// in the middle of fn keeps those made so far.
func (c *Cache[K, V]) Transaction(ctx context.Context, k K, fn func() error) error {
	kb, err := c.encodeKey(k)
	if err != nil {
		return err
	}
	l, err := c.locks.lock(ctx, kb)
	if err != nil {
		return fmt.Errorf("kv: transaction on key %v: %w", k, err)
	}
	defer c.locks.unlock(l)
	return fn()
}

// A lockTable holds one lock per key that is in a transaction or waited
// for, and none for other keys: the map of locks grows with the number of
// keys in use at once, not with the number of keys, and keys never share a
// lock, so unrelated keys never wait for each other.
type lockTable struct {
	mu sync.Mutex
	m  map[string]*keyLock

	// onWait, if set, is called when a transaction starts waiting for
	// key, for tests.
	onWait func(key string)
}

// A keyLock is the lock of one key: a channel with room for one token,
// which its holder has put in, so that waiting can end with a context.
type keyLock struct {
	key  string
	ch   chan struct{}
	refs int // holder and waiters; guarded by the table's mu
}

var keyLocks = sync.Pool{New: func() any { return &keyLock{ch: make(chan struct{}, 1)} }}

// lock takes the lock of key, waiting until it is free or ctx is done.
func (t *lockTable) lock(ctx context.Context, key []byte) (*keyLock, error) {
	t.mu.Lock()
	l, ok := t.m[string(key)]
	if !ok {
		if t.m == nil {
			t.m = map[string]*keyLock{}
		}
		l = keyLocks.Get().(*keyLock)
		l.key = string(key)
		t.m[l.key] = l
	}
	l.refs++
	onWait := t.onWait
	t.mu.Unlock()

	select {
	case l.ch <- struct{}{}:
		return l, nil
	default:
	}
	if onWait != nil {
		onWait(l.key)
	}
	select {
	case l.ch <- struct{}{}:
		return l, nil
	case <-ctx.Done():
		t.release(l)
		return nil, context.Cause(ctx)
	}
}

// unlock releases the lock l, which the caller holds.
func (t *lockTable) unlock(l *keyLock) {
	<-l.ch
	t.release(l)
}

// release drops one reference to l, and l itself with the last one.
func (t *lockTable) release(l *keyLock) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		delete(t.m, l.key)
		l.key = ""
		keyLocks.Put(l)
	}
}

// size returns the number of locks in the table, for tests.
func (t *lockTable) size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m)
}
