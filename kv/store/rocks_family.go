//go:build cgo

package store

import (
	"fmt"

	"github.com/linxGnu/grocksdb"
)

func (f *rocksFamily) Family(name string) (Store, error) {
	d := f.d
	d.mu.RLock()
	g, ok := d.fams[name]
	closed := d.closed
	d.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if ok {
		return g, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	if g, ok := d.fams[name]; ok {
		return g, nil
	}
	h, err := d.db.CreateColumnFamily(d.opts, name)
	if err != nil {
		return nil, fmt.Errorf("kv: rocksdb:%s: create column family %q: %w", d.path, name, err)
	}
	g = &rocksFamily{d: d, name: name, h: h}
	d.fams[name] = g
	return g, nil
}

func (f *rocksFamily) DropFamily(name string) error {
	if name == DefaultFamily {
		return fmt.Errorf("kv: cannot drop the default column family")
	}
	d := f.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	g, ok := d.fams[name]
	if !ok {
		return fmt.Errorf("kv: rocksdb:%s: no column family %q", d.path, name)
	}
	d.freeLive(func(r rocksResource) bool { return r.family() == g })
	if err := d.db.DropColumnFamily(g.h); err != nil {
		return fmt.Errorf("kv: rocksdb:%s: drop column family %q: %w", d.path, name, err)
	}
	g.h.Destroy()
	g.dropped = true
	delete(d.fams, name)
	return nil
}

func (f *rocksFamily) Families() ([]string, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if f.d.closed {
		return nil, ErrClosed
	}
	names := make([]string, 0, len(f.d.fams))
	for name := range f.d.fams {
		names = append(names, name)
	}
	return names, nil
}

func (f *rocksFamily) Flush() error {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return err
	}
	fo := grocksdb.NewDefaultFlushOptions()
	defer fo.Destroy()
	fo.SetWait(true)
	if err := f.d.db.FlushCF(f.h, fo); err != nil {
		return f.errorf("flush", err)
	}
	return nil
}

func (f *rocksFamily) Compact(start, end []byte) error {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return err
	}
	f.d.db.CompactRangeCF(f.h, grocksdb.Range{Start: start, Limit: end})
	return nil
}

func (f *rocksFamily) Property(name string) (string, bool) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if f.check() != nil {
		return "", false
	}
	v := f.d.db.GetPropertyCF(name, f.h)
	return v, v != ""
}
