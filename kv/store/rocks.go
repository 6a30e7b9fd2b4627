//go:build cgo

package store

import (
	"fmt"
	"os"
	"sync"

	"github.com/linxGnu/grocksdb"
)

// A rocksDB is an open RocksDB database. Every operation holds mu for
// reading while it uses the database, and Close holds it for writing, so
// that nothing uses the database's C objects once they are freed.
type rocksDB struct {
	path string

	mu     sync.RWMutex
	closed bool
	db     *grocksdb.DB
	opts   *grocksdb.Options
	ro     *grocksdb.ReadOptions // shared by every plain read
	wo     *grocksdb.WriteOptions
	fams   map[string]*rocksFamily // guarded by mu

	liveMu sync.Mutex
	live   map[rocksResource]struct{} // cursors and views not yet closed
}

// A rocksResource is a cursor or view that Close must free first.
type rocksResource interface {
	free() // called with the database's mu held for writing
	family() *rocksFamily
}

func (d *rocksDB) track(r rocksResource) {
	d.liveMu.Lock()
	d.live[r] = struct{}{}
	d.liveMu.Unlock()
}

func (d *rocksDB) untrack(r rocksResource) {
	d.liveMu.Lock()
	delete(d.live, r)
	d.liveMu.Unlock()
}

// A rocksFamily is one column family of a rocksDB, and the Store for it.
type rocksFamily struct {
	d       *rocksDB
	name    string
	h       *grocksdb.ColumnFamilyHandle
	dropped bool // guarded by d.mu
}

// check returns the error an operation on f meets; f.d.mu must be held.
func (f *rocksFamily) check() error {
	if f.d.closed {
		return ErrClosed
	}
	if f.dropped {
		return fmt.Errorf("%w: %q of %s", errDropped, f.name, f.d.path)
	}
	return nil
}

func (f *rocksFamily) errorf(op string, err error) error {
	return fmt.Errorf("kv: %s: %s: %w", f, op, err)
}

func (f *rocksFamily) Close() error {
	f.d.mu.Lock()
	defer f.d.mu.Unlock()
	f.d.close()
	return nil
}

func (f *rocksFamily) Destroy() error {
	d := f.d
	d.mu.Lock()
	defer d.mu.Unlock()
	d.close()
	opts := grocksdb.NewDefaultOptions()
	defer opts.Destroy()
	if err := grocksdb.DestroyDb(d.path, opts); err != nil {
		return fmt.Errorf("kv: destroy RocksDB at %s: %w", d.path, err)
	}
	// DestroyDb leaves the directory when RocksDB did not create it, or
	// when it holds other files; remove it only if it is empty.
	os.Remove(d.path)
	return nil
}

// String returns "rocksdb:" and the database's path, followed by "/" and
// the family's name for a family other than the default one.
func (f *rocksFamily) String() string {
	if f.name == DefaultFamily {
		return "rocksdb:" + f.d.path
	}
	return "rocksdb:" + f.d.path + "/" + f.name
}

// close frees every cursor and view, then the database; d.mu must be held
// for writing.
func (d *rocksDB) close() {
	if d.closed {
		return
	}
	d.closed = true
	d.freeLive(func(rocksResource) bool { return true })
	for _, f := range d.fams {
		f.h.Destroy()
	}
	d.db.Close()
	d.ro.Destroy()
	d.wo.Destroy()
	d.opts.Destroy()
}

// freeLive frees the live cursors and views that match; d.mu must be held
// for writing.
func (d *rocksDB) freeLive(match func(rocksResource) bool) {
	d.liveMu.Lock()
	var rs []rocksResource
	for r := range d.live {
		if match(r) {
			rs = append(rs, r)
			delete(d.live, r)
		}
	}
	d.liveMu.Unlock()
	// Cursors first: a view's cursors use its read options.
	for _, r := range rs {
		if _, ok := r.(*rocksCursor); ok {
			r.free()
		}
	}
	for _, r := range rs {
		if _, ok := r.(*rocksView); ok {
			r.free()
		}
	}
}

// RocksDB returns the grocksdb database and column family under s, and
// true, if [OpenRocks] made s: for a program that mixes its own grocksdb
// calls with the store's, such as a benchmark that compares the two on one
// database. They are valid until the store closes; the caller must not
// close them.
func RocksDB(s Store) (*grocksdb.DB, *grocksdb.ColumnFamilyHandle, bool) {
	f, ok := s.(*rocksFamily)
	if !ok {
		return nil, nil, false
	}
	return f.d.db, f.h, true
}
