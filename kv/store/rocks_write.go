//go:build cgo

package store

import (
	"github.com/linxGnu/grocksdb"
)

func (f *rocksFamily) Put(key, value []byte) error {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return err
	}
	if err := f.d.db.PutCF(f.d.wo, f.h, key, value); err != nil {
		return f.errorf("put", err)
	}
	return nil
}

func (f *rocksFamily) Delete(key []byte) error {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return err
	}
	if err := f.d.db.DeleteCF(f.d.wo, f.h, key); err != nil {
		return f.errorf("delete", err)
	}
	return nil
}

func (f *rocksFamily) DeleteRange(start, end []byte) error {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return err
	}
	if string(start) >= string(end) {
		return nil // RocksDB rejects an empty range
	}
	if err := f.d.db.DeleteRangeCF(f.d.wo, f.h, start, end); err != nil {
		return f.errorf("delete range", err)
	}
	return nil
}

func (f *rocksFamily) Write(b *WriteBatch) error {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if f.d.closed {
		return ErrClosed
	}
	wb := grocksdb.NewWriteBatch()
	defer wb.Destroy()
	for _, op := range b.ops {
		t, ok := op.s.(*rocksFamily)
		if !ok || t.d != f.d {
			return ErrMixedBatch
		}
		if err := t.check(); err != nil {
			return err
		}
		switch op.kind {
		case opPut:
			wb.PutCF(t.h, op.a, op.b)
		case opDelete:
			wb.DeleteCF(t.h, op.a)
		case opDeleteRange:
			if string(op.a) < string(op.b) {
				wb.DeleteRangeCF(t.h, op.a, op.b)
			}
		}
	}
	if err := f.d.db.Write(f.d.wo, wb); err != nil {
		return f.errorf("write batch", err)
	}
	return nil
}
