//go:build cgo

package kv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/linxGnu/grocksdb"
)

// OpenRocks opens the RocksDB database in the directory path, creating the
// directory and the database if they do not exist (unless
// [Options.ErrorIfMissing] is set), and returns its default column family.
// Its other column families are opened with it; see [Store.Family]. A nil
// opts means the defaults of [Options].
//
// Opening fails with an error that wraps [ErrLocked] if the database is
// open in another process, or elsewhere in this one, and with one that
// wraps [ErrNotDatabase] if path is a file. Both name the path.
//
// The RocksDB backend needs cgo and the RocksDB C library: on Debian and
// Ubuntu, the package librocksdb-dev (RocksDB 7.8).
func OpenRocks(path string, opts *Options) (Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o = o.withDefaults()
	if err := checkPath(path, o); err != nil {
		return nil, err
	}
	ro, err := rocksOptions(o)
	if err != nil {
		return nil, fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
	}
	names := []string{DefaultFamily}
	if fileExists(filepath.Join(path, "CURRENT")) {
		names, err = grocksdb.ListColumnFamilies(ro, path)
		if err != nil {
			ro.Destroy()
			return nil, openError(path, err)
		}
	}
	famOpts := make([]*grocksdb.Options, len(names))
	for i := range famOpts {
		famOpts[i] = ro
	}
	var (
		db      *grocksdb.DB
		handles []*grocksdb.ColumnFamilyHandle
	)
	if o.ReadOnly {
		db, handles, err = grocksdb.OpenDbForReadOnlyColumnFamilies(ro, path, names, famOpts, false)
	} else {
		db, handles, err = grocksdb.OpenDbColumnFamilies(ro, path, names, famOpts)
	}
	if err != nil {
		ro.Destroy()
		return nil, openError(path, err)
	}
	d := &rocksDB{
		path: path,
		db:   db,
		opts: ro,
		ro:   grocksdb.NewDefaultReadOptions(),
		wo:   grocksdb.NewDefaultWriteOptions(),
		fams: map[string]*rocksFamily{},
		live: map[rocksResource]struct{}{},
	}
	d.wo.SetSync(o.Sync)
	for i, name := range names {
		d.fams[name] = &rocksFamily{d: d, name: name, h: handles[i]}
	}
	return d.fams[DefaultFamily], nil
}

// RepairRocks tries to recover as much data as possible from the damaged
// RocksDB database at path. The database must not be open. A nil opts means
// the defaults of [Options].
func RepairRocks(path string, opts *Options) error {
	var o Options
	if opts != nil {
		o = *opts
	}
	ro, err := rocksOptions(o.withDefaults())
	if err != nil {
		return fmt.Errorf("kv: repair RocksDB at %s: %w", path, err)
	}
	defer ro.Destroy()
	if err := grocksdb.RepairDb(path, ro); err != nil {
		return fmt.Errorf("kv: repair RocksDB at %s: %w", path, err)
	}
	return nil
}

// checkPath gives clear errors for the paths RocksDB itself would reject
// with obscure ones, and makes the directory if it may.
func checkPath(path string, o Options) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("kv: open RocksDB at %s: %w: it is a file, not a directory", path, ErrNotDatabase)
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		if o.ErrorIfMissing || o.ReadOnly {
			return fmt.Errorf("kv: open RocksDB at %s: %w: no such directory", path, ErrNotDatabase)
		}
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
		}
		return nil
	default:
		return fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
	}
	if (o.ErrorIfMissing || o.ReadOnly) && !fileExists(filepath.Join(path, "CURRENT")) {
		return fmt.Errorf("kv: open RocksDB at %s: %w: the directory holds no RocksDB database", path, ErrNotDatabase)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// openError explains an error of RocksDB's open.
func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "lock") || strings.Contains(msg, "LOCK") {
		return fmt.Errorf("kv: open RocksDB at %s: %w (RocksDB: %v)", path, ErrLocked, err)
	}
	return fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
}

// RocksOptions returns the grocksdb options that [Open] gives a RocksDB
// database for o, its zero fields set to their defaults: for a program
// that opens such a database with grocksdb itself, as the benchmarks that
// compare the two do. The caller owns the options and must Destroy them.
func RocksOptions(o Options) (*grocksdb.Options, error) {
	r, err := rocksOptions(o.withDefaults())
	if err != nil {
		return nil, fmt.Errorf("kv: %w", err)
	}
	return r, nil
}

// rocksOptions translates o, with its defaults filled in, to RocksDB's.
func rocksOptions(o Options) (*grocksdb.Options, error) {
	r := grocksdb.NewDefaultOptions()
	r.SetCreateIfMissing(!o.ErrorIfMissing)
	r.IncreaseParallelism(o.BackgroundJobs)
	r.SetMaxBackgroundJobs(o.BackgroundJobs)
	r.SetLogFileTimeToRoll(uint64(o.LogFileTimeToRoll / time.Second))
	r.SetKeepLogFileNum(uint(o.KeepLogFiles))
	r.SetMaxLogFileSize(uint64(o.MaxLogFileSize))
	r.SetMaxManifestFileSize(uint64(o.MaxManifestFileSize))
	fifo := grocksdb.NewDefaultFIFOCompactionOptions()
	fifo.SetMaxTableFilesSize(uint64(o.TargetTableSize))
	r.SetFIFOCompactionOptions(fifo) // takes fifo over
	switch o.Compaction {
	case FIFO:
		r.SetCompactionStyle(grocksdb.FIFOCompactionStyle)
	case Level:
		r.SetCompactionStyle(grocksdb.LevelCompactionStyle)
	case Universal:
		r.SetCompactionStyle(grocksdb.UniversalCompactionStyle)
	default:
		r.Destroy()
		return nil, fmt.Errorf("unknown compaction style %d", o.Compaction)
	}
	r.SetLevel0FileNumCompactionTrigger(o.Level0CompactionTrigger)
	r.SetLevel0SlowdownWritesTrigger(o.Level0SlowdownWritesTrigger)
	r.SetLevel0StopWritesTrigger(o.Level0StopWritesTrigger)
	r.SetMaxWriteBufferNumber(o.MaxWriteBuffers)
	r.SetWriteBufferSize(uint64(o.WriteBufferSize))
	r.SetTargetFileSizeBase(uint64(o.TargetFileSizeBase))
	r.SetMaxBytesForLevelBase(uint64(o.MaxBytesForLevelBase))
	r.SetMaxBytesForLevelMultiplier(o.MaxBytesForLevelMultiplier)
	switch o.Compression {
	case LZ4:
		r.SetCompression(grocksdb.LZ4Compression)
	case NoCompression:
		r.SetCompression(grocksdb.NoCompression)
	case Snappy:
		r.SetCompression(grocksdb.SnappyCompression)
	case Zlib:
		r.SetCompression(grocksdb.ZLibCompression)
	case ZSTD:
		r.SetCompression(grocksdb.ZSTDCompression)
	default:
		r.Destroy()
		return nil, fmt.Errorf("unknown compression %d", o.Compression)
	}
	r.SetDeleteObsoleteFilesPeriodMicros(uint64(o.DeleteObsoleteFilesPeriod / time.Microsecond))
	if o.Raw != "" {
		n, err := grocksdb.GetOptionsFromString(r, o.Raw)
		r.Destroy()
		if err != nil {
			return nil, fmt.Errorf("options string %q: %w", o.Raw, err)
		}
		r = n
	}
	return r, nil
}

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

// rocksBorrow returns the value of key in memory that RocksDB allocated for
// it, which outlives the database: the caller frees it.
func rocksBorrow(db *grocksdb.DB, ro *grocksdb.ReadOptions, f *rocksFamily, key []byte) (borrowed, bool, error) {
	s, err := db.GetCF(ro, f.h, key)
	if err != nil {
		return nil, false, f.errorf("get", err)
	}
	if !s.Exists() {
		return nil, false, nil
	}
	return s, true, nil
}

func (f *rocksFamily) borrow(key []byte) (borrowed, bool, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, false, err
	}
	return rocksBorrow(f.d.db, f.d.ro, f, key)
}

func (v *rocksView) borrow(key []byte) (borrowed, bool, error) {
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

func (f *rocksFamily) NewCursor() (Cursor, error) {
	f.d.mu.RLock()
	defer f.d.mu.RUnlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	c := &rocksCursor{f: f, it: f.d.db.NewIteratorCF(f.d.ro, f.h)}
	f.d.track(c)
	return c, nil
}

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
	if b.err != nil {
		return b.err
	}
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

func (v *rocksView) NewCursor() (Cursor, error) {
	v.f.d.mu.RLock()
	defer v.f.d.mu.RUnlock()
	if err := v.check(); err != nil {
		return nil, err
	}
	c := &rocksCursor{f: v.f, view: v, it: v.f.d.db.NewIteratorCF(v.ro, v.f.h)}
	v.f.d.track(c)
	return c, nil
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
