package store

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// NewMemory returns an empty [Store] held in memory, with the semantics of
// the RocksDB store: ordered keys, cursors that see the data as it was when
// they were made, snapshots, column families, atomic write batches. It is
// meant for unit tests and for state that need not survive the process;
// nothing is written to disk, and [RocksOptions] do not apply.
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

func (f *memFamily) NewCursor(start, end []byte) (Cursor, error) {
	root, err := f.read()
	if err != nil {
		return nil, err
	}
	return newMemCursor(f.db, nil, root, start, end), nil
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
