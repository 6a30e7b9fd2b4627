//go:build cgo

package store

import (
	"github.com/linxGnu/grocksdb"
)

// A rocksCursor is a RocksDB iterator. It remembers whether the iterator is
// valid, and its key, to spare calls into C.
type rocksCursor struct {
	f     *rocksFamily
	view  *rocksView
	it    *grocksdb.Iterator
	freed bool // guarded by f.d.mu
	valid bool
	key   []byte // the current key, once asked for; in C memory
	err   error
}

func (c *rocksCursor) family() *rocksFamily { return c.f }

func (c *rocksCursor) free() {
	if !c.freed {
		c.freed = true
		c.valid, c.key = false, nil
		c.it.Close()
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
