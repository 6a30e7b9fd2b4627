//go:build cgo

package store

import (
	"github.com/linxGnu/grocksdb"
)

func (f *rocksFamily) Get(key []byte) ([]byte, bool, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, false, err
	}
	return rocksGet(f.d.db, f.d.ro, f, key)
}

func rocksGet(db *grocksdb.DB, ro *grocksdb.ReadOptions, f *rocksFamily, key []byte) ([]byte, bool, error) {
	s, err := db.GetCF(ro, f.h, key)
	if err != nil {
		return nil, false, f.errorf("get", err)
	}
	if !s.Exists() {
		return nil, false, nil
	}
	v := clone(s.Data())
	s.Free()
	return v, true, nil
}

// The cache's Get lends RocksDB's values instead of copying them.
var (
	_ Lender = (*rocksFamily)(nil)
	_ Lender = (*rocksView)(nil)
)

// rocksBorrow returns the value of key in memory that RocksDB allocated for
// it, which outlives the database: the caller frees it.
func rocksBorrow(db *grocksdb.DB, ro *grocksdb.ReadOptions, f *rocksFamily, key []byte) (Loan, bool, error) {
	s, err := db.GetCF(ro, f.h, key)
	if err != nil {
		return nil, false, f.errorf("get", err)
	}
	if !s.Exists() {
		return nil, false, nil
	}
	return s, true, nil
}

func (f *rocksFamily) Borrow(key []byte) (Loan, bool, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, false, err
	}
	return rocksBorrow(f.d.db, f.d.ro, f, key)
}

func (v *rocksView) Borrow(key []byte) (Loan, bool, error) {
	v.f.d.mu.RLock()
	defer v.f.d.mu.RUnlock()
	if err := v.check(); err != nil {
		return nil, false, err
	}
	return rocksBorrow(v.f.d.db, v.ro, v.f, key)
}

func rocksHas(db *grocksdb.DB, ro *grocksdb.ReadOptions, f *rocksFamily, key []byte) (bool, error) {
	s, err := db.GetCF(ro, f.h, key)
	if err != nil {
		return false, f.errorf("get", err)
	}
	ok := s.Exists()
	s.Free()
	return ok, nil
}

func (f *rocksFamily) Has(key []byte) (bool, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return false, err
	}
	return rocksHas(f.d.db, f.d.ro, f, key)
}

func (f *rocksFamily) NewCursor(start, end []byte) (Cursor, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	return newRocksCursor(f, nil, start, end), nil
}

func (f *rocksFamily) Snapshot() (View, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	v := &rocksView{f: f, snap: f.d.db.NewSnapshot(), ro: grocksdb.NewDefaultReadOptions()}
	v.ro.SetSnapshot(v.snap)
	f.d.track(v)
	return v, nil
}

// A rocksView is a snapshot of a rocksFamily.
type rocksView struct {
	f     *rocksFamily
	snap  *grocksdb.Snapshot
	ro    *grocksdb.ReadOptions
	freed bool // guarded by f.d.mu
}

func (v *rocksView) family() *rocksFamily { return v.f }

func (v *rocksView) free() {
	if v.freed {
		return
	}
	v.freed = true
	v.f.d.db.ReleaseSnapshot(v.snap)
	v.ro.Destroy()
}

// check returns the error an operation on v meets; v.f.d.mu must be held.
func (v *rocksView) check() error {
	if v.freed {
		return ErrClosed
	}
	return v.f.check()
}

func (v *rocksView) Get(key []byte) ([]byte, bool, error) {
	v.f.d.mu.RLock()
	defer v.f.d.mu.RUnlock()
	if err := v.check(); err != nil {
		return nil, false, err
	}
	return rocksGet(v.f.d.db, v.ro, v.f, key)
}

func (v *rocksView) Has(key []byte) (bool, error) {
	v.f.d.mu.RLock()
	defer v.f.d.mu.RUnlock()
	if err := v.check(); err != nil {
		return false, err
	}
	return rocksHas(v.f.d.db, v.ro, v.f, key)
}

func (v *rocksView) NewCursor(start, end []byte) (Cursor, error) {
	v.f.d.mu.RLock()
	defer v.f.d.mu.RUnlock()
	if err := v.check(); err != nil {
		return nil, err
	}
	return newRocksCursor(v.f, v, start, end), nil
}

func (v *rocksView) Close() error {
	d := v.f.d
	// Closing frees C objects that the view's cursors use: exclude every
	// other use of the database meanwhile.
	d.mu.Lock()
	defer d.mu.Unlock()
	if v.freed {
		return nil
	}
	d.freeLive(func(r rocksResource) bool {
		c, ok := r.(*rocksCursor)
		return r == rocksResource(v) || (ok && c.view == v)
	})
	return nil
}
