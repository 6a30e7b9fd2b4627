package store

import (
	"bytes"
	"sync/atomic"
)

// A memView is a snapshot of a memFamily: the root of its tree at one time.
type memView struct {
	db     *memDB
	root   *node
	closed atomic.Bool
}

func (v *memView) check() error {
	if v.closed.Load() || v.db.closed.Load() {
		return ErrClosed
	}
	return nil
}

func (v *memView) Get(key []byte) ([]byte, bool, error) {
	if err := v.check(); err != nil {
		return nil, false, err
	}
	return treeGet(v.root, key)
}

func (v *memView) Has(key []byte) (bool, error) {
	if err := v.check(); err != nil {
		return false, err
	}
	return find(v.root, key) != nil, nil
}

func (v *memView) NewCursor(start, end []byte) (Cursor, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	return newMemCursor(v.db, v, v.root, start, end), nil
}

func (v *memView) Close() error {
	v.closed.Store(true)
	return nil
}

// A memCursor walks a tree. Each move searches from the root, in
// O(log n): simpler than keeping a path, and fast enough for tests.
type memCursor struct {
	db         *memDB
	view       *memView // the view the cursor reads, if any
	root       *node
	start, end []byte // the bounds; nil for none
	cur        *node
	err        error
	closed     bool
}

func newMemCursor(db *memDB, view *memView, root *node, start, end []byte) *memCursor {
	return &memCursor{db: db, view: view, root: root, start: cloneBound(start), end: cloneBound(end)}
}

// cloneBound copies a cursor's bound, keeping nil, which means none.
func cloneBound(p []byte) []byte {
	if p == nil {
		return nil
	}
	return clone(p)
}

// move sets the cursor's position to n, or makes it invalid if n is out of
// bounds, or if the cursor, its view or its database has been closed.
func (c *memCursor) move(n *node) {
	if c.closed || c.db.closed.Load() || (c.view != nil && c.view.closed.Load()) {
		c.cur, c.err = nil, ErrClosed
		return
	}
	if n != nil && (c.start != nil && bytes.Compare(n.key, c.start) < 0 || c.end != nil && bytes.Compare(n.key, c.end) >= 0) {
		n = nil
	}
	c.cur = n
}

func (c *memCursor) SeekToFirst() {
	if c.start != nil {
		c.move(ceiling(c.root, c.start, false))
	} else {
		c.move(first(c.root))
	}
}

func (c *memCursor) SeekToLast() {
	if c.end != nil {
		c.move(floor(c.root, c.end, true))
	} else {
		c.move(last(c.root))
	}
}

func (c *memCursor) Seek(key []byte) {
	if c.start != nil && bytes.Compare(key, c.start) < 0 {
		key = c.start
	}
	c.move(ceiling(c.root, key, false))
}

func (c *memCursor) SeekForPrev(key []byte) {
	if c.end != nil && bytes.Compare(key, c.end) >= 0 {
		c.SeekToLast()
		return
	}
	c.move(floor(c.root, key, false))
}

func (c *memCursor) Valid() bool {
	if c.cur != nil && (c.closed || c.db.closed.Load() || (c.view != nil && c.view.closed.Load())) {
		c.cur, c.err = nil, ErrClosed
	}
	return c.cur != nil
}

func (c *memCursor) Next() {
	if c.cur != nil {
		c.move(ceiling(c.root, c.cur.key, true))
	}
}

func (c *memCursor) Prev() {
	if c.cur != nil {
		c.move(floor(c.root, c.cur.key, true))
	}
}

func (c *memCursor) Key() []byte {
	if c.cur == nil {
		return nil
	}
	return c.cur.key
}

func (c *memCursor) Value() []byte {
	if c.cur == nil {
		return nil
	}
	return c.cur.value
}

func (c *memCursor) Err() error { return c.err }

func (c *memCursor) Close() error {
	c.closed = true
	c.cur = nil
	return nil
}
