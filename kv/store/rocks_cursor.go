//go:build cgo

package store

import (
	"bytes"

	"github.com/linxGnu/grocksdb"
)

// A rocksCursor is a RocksDB iterator. It remembers whether the iterator is
// valid, and its key, to spare calls into C.
type rocksCursor struct {
	f     *rocksFamily
	view  *rocksView
	it    *grocksdb.Iterator    // nil when nothing is within the bounds
	ro    *grocksdb.ReadOptions // the cursor's own, with its bounds; or nil
	freed bool                  // guarded by f.d.mu
	valid bool
	key   []byte // the current key, once asked for; in C memory
	err   error
}

// newRocksCursor returns a cursor on f, or on its view v if v is not nil,
// over the keys k with start <= k < end; f.d.mu must be held.
//
// An unbounded cursor reads with the family's or the view's read options.
// A bounded one has read options of its own, whose iterate bounds let
// RocksDB stop at the bounds instead of reading on (through deleted keys,
// for one) to find out that the next key is out of them.
func newRocksCursor(f *rocksFamily, v *rocksView, start, end []byte) *rocksCursor {
	c := &rocksCursor{f: f, view: v}
	defer f.d.track(c)
	if end != nil && (len(end) == 0 || start != nil && bytes.Compare(start, end) >= 0) {
		return c // an empty range, which RocksDB's bounds cannot express
	}
	ro := f.d.ro
	if v != nil {
		ro = v.ro
	}
	if start != nil || end != nil {
		c.ro = grocksdb.NewDefaultReadOptions()
		if v != nil {
			c.ro.SetSnapshot(v.snap)
		}
		if len(start) > 0 {
			// grocksdb keeps the slice, which RocksDB reads until the
			// iterator closes: give it a copy of its own.
			c.ro.SetIterateLowerBound(bytes.Clone(start))
		}
		if end != nil {
			c.ro.SetIterateUpperBound(bytes.Clone(end))
		}
		ro = c.ro
	}
	c.it = f.d.db.NewIteratorCF(ro, f.h)
	return c
}

func (c *rocksCursor) family() *rocksFamily { return c.f }

func (c *rocksCursor) free() {
	if !c.freed {
		c.freed = true
		c.valid, c.key = false, nil
		if c.it != nil {
			c.it.Close()
		}
		if c.ro != nil {
			c.ro.Destroy()
		}
	}
}

// move runs fn to move the iterator, unless the cursor is freed, and
// notes where it landed.
func (c *rocksCursor) move(fn func(it *grocksdb.Iterator)) {
	c.f.d.mu.RLock()
	defer c.f.d.mu.RUnlock()
	c.key = nil
	if c.freed {
		c.valid, c.err = false, ErrClosed
		return
	}
	if c.it == nil {
		c.valid = false
		return
	}
	fn(c.it)
	c.valid = c.it.Valid()
	if !c.valid {
		if err := c.it.Err(); err != nil && c.err == nil {
			c.err = c.f.errorf("iterate", err)
		}
	}
}

func (c *rocksCursor) SeekToFirst() { c.move((*grocksdb.Iterator).SeekToFirst) }
func (c *rocksCursor) SeekToLast()  { c.move((*grocksdb.Iterator).SeekToLast) }

func (c *rocksCursor) Next() {
	if c.valid {
		c.move((*grocksdb.Iterator).Next)
	}
}

func (c *rocksCursor) Prev() {
	if c.valid {
		c.move((*grocksdb.Iterator).Prev)
	}
}

func (c *rocksCursor) Seek(key []byte) {
	c.move(func(it *grocksdb.Iterator) { it.Seek(key) })
}

func (c *rocksCursor) SeekForPrev(key []byte) {
	c.move(func(it *grocksdb.Iterator) { it.SeekForPrev(key) })
}

func (c *rocksCursor) Valid() bool {
	c.f.d.mu.RLock()
	defer c.f.d.mu.RUnlock()
	if c.freed {
		c.valid, c.key = false, nil
		if c.err == nil {
			c.err = ErrClosed
		}
	}
	return c.valid
}

func (c *rocksCursor) Key() []byte {
	c.f.d.mu.RLock()
	defer c.f.d.mu.RUnlock()
	if c.freed || !c.valid {
		return nil
	}
	if c.key == nil {
		c.key = c.it.Key().Data()
		if c.key == nil {
			c.key = []byte{} // the empty key
		}
	}
	return c.key
}

func (c *rocksCursor) Value() []byte {
	c.f.d.mu.RLock()
	defer c.f.d.mu.RUnlock()
	if c.freed || !c.valid {
		return nil
	}
	v := c.it.Value().Data()
	if v == nil {
		v = []byte{}
	}
	return v
}

func (c *rocksCursor) Err() error { return c.err }

func (c *rocksCursor) Close() error {
	d := c.f.d
	d.mu.RLock()
	defer d.mu.RUnlock()
	if c.freed {
		return nil
	}
	c.free()
	d.untrack(c)
	return nil
}
