package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// NewMemory returns an empty [Store] held in memory, with the semantics of
// the RocksDB store: ordered keys, cursors that see the data as it was when
// they were made, snapshots, column families, atomic write batches. It is
// meant for unit tests and for state that need not survive the process;
// nothing is written to disk, and [Options] do not apply.
//
// The store keeps its keys in a persistent (copy-on-write) balanced tree:
// a write copies the O(log n) nodes on the path to its key, so that a
// snapshot or cursor is just the root of the tree at the moment it was
// made, and readers never wait for writers.
func NewMemory() Store {
	db := &memDB{fams: map[string]*memFamily{}}
	f := &memFamily{db: db, name: DefaultFamily}
	db.fams[DefaultFamily] = f
	return f
}

type memDB struct {
	mu     sync.RWMutex // guards fams and every family's root and dropped
	fams   map[string]*memFamily
	closed atomic.Bool
}

// A memFamily is one column family of a memDB, and the Store for it.
type memFamily struct {
	db      *memDB
	name    string
	root    *node
	dropped bool
}

var errDropped = fmt.Errorf("kv: column family dropped")

// read returns the root of f to read from.
func (f *memFamily) read() (*node, error) {
	f.db.mu.RLock()
	defer f.db.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	return f.root, nil
}

// check returns the error an operation on f meets; f.db.mu must be held.
func (f *memFamily) check() error {
	if f.db.closed.Load() {
		return ErrClosed
	}
	if f.dropped {
		return fmt.Errorf("%w: %q", errDropped, f.name)
	}
	return nil
}

// update replaces f's root with fn of it.
func (f *memFamily) update(fn func(*node) *node) error {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	f.root = fn(f.root)
	return nil
}

func (f *memFamily) Get(key []byte) ([]byte, bool, error) {
	root, err := f.read()
	if err != nil {
		return nil, false, err
	}
	return treeGet(root, key)
}

func (f *memFamily) Has(key []byte) (bool, error) {
	root, err := f.read()
	if err != nil {
		return false, err
	}
	return find(root, key) != nil, nil
}

func (f *memFamily) NewCursor() (Cursor, error) {
	root, err := f.read()
	if err != nil {
		return nil, err
	}
	return &memCursor{db: f.db, root: root}, nil
}

func (f *memFamily) Put(key, value []byte) error {
	k, v := clone(key), clone(value)
	return f.update(func(t *node) *node { return insert(t, k, v) })
}

func (f *memFamily) Delete(key []byte) error {
	return f.update(func(t *node) *node { return remove(t, key) })
}

func (f *memFamily) DeleteRange(start, end []byte) error {
	return f.update(func(t *node) *node { return removeRange(t, start, end) })
}

func (f *memFamily) Write(b *WriteBatch) error {
	if b.err != nil {
		return b.err
	}
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	if f.db.closed.Load() {
		return ErrClosed
	}
	// Check every target first, so that a bad batch writes nothing; then
	// build the new roots aside and install them together.
	for _, op := range b.ops {
		t, ok := op.s.(*memFamily)
		if !ok || t.db != f.db {
			return ErrMixedBatch
		}
		if err := t.check(); err != nil {
			return err
		}
	}
	roots := map[*memFamily]*node{}
	for _, op := range b.ops {
		t := op.s.(*memFamily)
		root, ok := roots[t]
		if !ok {
			root = t.root
		}
		switch op.kind {
		case opPut:
			root = insert(root, op.a, op.b) // the batch's own copies
		case opDelete:
			root = remove(root, op.a)
		case opDeleteRange:
			root = removeRange(root, op.a, op.b)
		}
		roots[t] = root
	}
	for t, root := range roots {
		t.root = root
	}
	return nil
}

func (f *memFamily) Snapshot() (View, error) {
	root, err := f.read()
	if err != nil {
		return nil, err
	}
	return &memView{db: f.db, root: root}, nil
}

func (f *memFamily) Family(name string) (Store, error) {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	if f.db.closed.Load() {
		return nil, ErrClosed
	}
	if g, ok := f.db.fams[name]; ok {
		return g, nil
	}
	g := &memFamily{db: f.db, name: name}
	f.db.fams[name] = g
	return g, nil
}

func (f *memFamily) DropFamily(name string) error {
	if name == DefaultFamily {
		return fmt.Errorf("kv: cannot drop the default column family")
	}
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	if f.db.closed.Load() {
		return ErrClosed
	}
	g, ok := f.db.fams[name]
	if !ok {
		return fmt.Errorf("kv: no column family %q", name)
	}
	g.dropped = true
	g.root = nil
	delete(f.db.fams, name)
	return nil
}

func (f *memFamily) Families() ([]string, error) {
	f.db.mu.RLock()
	defer f.db.mu.RUnlock()
	if f.db.closed.Load() {
		return nil, ErrClosed
	}
	names := make([]string, 0, len(f.db.fams))
	for name := range f.db.fams {
		names = append(names, name)
	}
	return names, nil
}

func (f *memFamily) Flush() error {
	_, err := f.read()
	return err
}

func (f *memFamily) Compact(start, end []byte) error {
	_, err := f.read()
	return err
}

func (f *memFamily) Property(name string) (string, bool) { return "", false }

func (f *memFamily) Close() error {
	f.db.closed.Store(true)
	return nil
}

func (f *memFamily) Destroy() error {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	f.db.closed.Store(true)
	for _, g := range f.db.fams {
		g.root = nil
	}
	return nil
}

// String returns "memory", or "memory/" and the family's name for a family
// other than the default one.
func (f *memFamily) String() string {
	if f.name == DefaultFamily {
		return "memory"
	}
	return "memory/" + f.name
}

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

func (v *memView) NewCursor() (Cursor, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	return &memCursor{db: v.db, view: v, root: v.root}, nil
}

func (v *memView) Close() error {
	v.closed.Store(true)
	return nil
}

// A memCursor walks a tree. Each move searches from the root, in
// O(log n): simpler than keeping a path, and fast enough for tests.
type memCursor struct {
	db     *memDB
	view   *memView // the view the cursor reads, if any
	root   *node
	cur    *node
	err    error
	closed bool
}

// move sets the cursor's position to n, or makes it invalid if the cursor,
// its view or its database has been closed.
func (c *memCursor) move(n *node) {
	if c.closed || c.db.closed.Load() || (c.view != nil && c.view.closed.Load()) {
		c.cur, c.err = nil, ErrClosed
		return
	}
	c.cur = n
}

func (c *memCursor) SeekToFirst()           { c.move(first(c.root)) }
func (c *memCursor) SeekToLast()            { c.move(last(c.root)) }
func (c *memCursor) Seek(key []byte)        { c.move(ceiling(c.root, key, false)) }
func (c *memCursor) SeekForPrev(key []byte) { c.move(floor(c.root, key, false)) }

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

// A node is a node of a persistent treap: a binary search tree on key and a
// heap on prio. Nodes are never modified once they are part of a tree; a
// write copies the nodes on its path instead.
type node struct {
	key, value  []byte
	prio        uint64
	left, right *node
}

func (n *node) copy() *node {
	c := *n
	return &c
}

func treeGet(t *node, key []byte) ([]byte, bool, error) {
	n := find(t, key)
	if n == nil {
		return nil, false, nil
	}
	return clone(n.value), true, nil
}

// find returns the node of key, or nil.
func find(t *node, key []byte) *node {
	for t != nil {
		switch c := bytes.Compare(key, t.key); {
		case c < 0:
			t = t.left
		case c > 0:
			t = t.right
		default:
			return t
		}
	}
	return nil
}

// ceiling returns the node of the smallest key >= key (> key if strict).
func ceiling(t *node, key []byte, strict bool) *node {
	var best *node
	for t != nil {
		c := bytes.Compare(t.key, key)
		if c > 0 || (c == 0 && !strict) {
			best, t = t, t.left
		} else {
			t = t.right
		}
	}
	return best
}

// floor returns the node of the largest key <= key (< key if strict).
func floor(t *node, key []byte, strict bool) *node {
	var best *node
	for t != nil {
		c := bytes.Compare(t.key, key)
		if c < 0 || (c == 0 && !strict) {
			best, t = t, t.right
		} else {
			t = t.left
		}
	}
	return best
}

func first(t *node) *node {
	for t != nil && t.left != nil {
		t = t.left
	}
	return t
}

func last(t *node) *node {
	for t != nil && t.right != nil {
		t = t.right
	}
	return t
}

// split splits t into the keys < key (<= key if orEqual) and the rest.
func split(t *node, key []byte, orEqual bool) (l, r *node) {
	if t == nil {
		return nil, nil
	}
	c := bytes.Compare(t.key, key)
	if c < 0 || (c == 0 && orEqual) {
		n := t.copy()
		n.right, r = split(t.right, key, orEqual)
		return n, r
	}
	n := t.copy()
	l, n.left = split(t.left, key, orEqual)
	return l, n
}

// merge joins l and r, every key of l being smaller than every key of r.
func merge(l, r *node) *node {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case l.prio > r.prio:
		n := l.copy()
		n.right = merge(l.right, r)
		return n
	default:
		n := r.copy()
		n.left = merge(l, r.left)
		return n
	}
}

// insert returns t with value under key; it keeps key and value.
func insert(t *node, key, value []byte) *node {
	if find(t, key) != nil {
		return replace(t, key, value)
	}
	l, r := split(t, key, false)
	return merge(merge(l, &node{key: key, value: value, prio: rand.Uint64()}), r)
}

// replace returns t with the value of key, which t holds, replaced.
func replace(t *node, key, value []byte) *node {
	n := t.copy()
	switch c := bytes.Compare(key, t.key); {
	case c < 0:
		n.left = replace(t.left, key, value)
	case c > 0:
		n.right = replace(t.right, key, value)
	default:
		n.value = value
	}
	return n
}

// remove returns t without key.
func remove(t *node, key []byte) *node {
	if find(t, key) == nil {
		return t
	}
	l, r := split(t, key, false)
	_, r = split(r, key, true)
	return merge(l, r)
}

// removeRange returns t without the keys k with start <= k < end.
func removeRange(t *node, start, end []byte) *node {
	if bytes.Compare(start, end) >= 0 {
		return t
	}
	l, r := split(t, start, false)
	_, r = split(r, end, false)
	return merge(l, r)
}
