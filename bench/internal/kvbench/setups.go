package kvbench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/linxGnu/grocksdb"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/kv/store"
)

// A rawDB is a grocksdb database opened with rocksOptions, with the read
// and write options every op reuses.
type rawDB struct {
	db   *grocksdb.DB
	opts *grocksdb.Options
	ro   *grocksdb.ReadOptions
	wo   *grocksdb.WriteOptions
}

func openRaw(dir string) (*rawDB, error) {
	opts, err := rocksOptions.Grocksdb()
	if err != nil {
		return nil, err
	}
	db, err := grocksdb.OpenDb(opts, dir)
	if err != nil {
		opts.Destroy()
		return nil, fmt.Errorf("kvbench: opening %s with grocksdb: %w", dir, err)
	}
	return &rawDB{db: db, opts: opts, ro: grocksdb.NewDefaultReadOptions(), wo: grocksdb.NewDefaultWriteOptions()}, nil
}

func (r *rawDB) close() {
	r.db.Close()
	r.ro.Destroy()
	r.wo.Destroy()
	r.opts.Destroy()
}

// The options of the two sides: the same RocksDB options, the original's
// FIFO compaction (see the package doc).
var (
	cacheOptions = kv.Options{Compaction: kv.FIFO}
	rocksOptions = store.RocksOptions{Compaction: store.FIFO}
)

// openCache opens the slipstream side: kv.Open with cacheOptions.
func openCache(dir string) (*kv.Cache[string, []byte], error) {
	return kv.Open(dir, codec.StringKey(), codec.Bytes(), &cacheOptions)
}

// setupSet opens an empty database for each side asked for, in a new
// temporary directory that closing removes.
func setupSet(slip, base bool) (*env, error) {
	ks := theKeys()
	dir, err := os.MkdirTemp("", "slipstream-bench-kv-set-")
	if err != nil {
		return nil, err
	}
	e := &env{}
	var (
		cache *kv.Cache[string, []byte]
		raw   *rawDB
	)
	e.close = func() error {
		var err error
		if cache != nil {
			err = cache.Close()
		}
		if raw != nil {
			raw.close()
		}
		return errors.Join(err, os.RemoveAll(dir))
	}
	if slip {
		if cache, err = openCache(filepath.Join(dir, "slipstream")); err != nil {
			return nil, errors.Join(err, e.close())
		}
		e.slip = func(i int) error {
			return cache.Set(ks.str[ks.order[i%len(ks.order)]], ks.values[i%valuePool])
		}
	}
	if base {
		if raw, err = openRaw(filepath.Join(dir, "grocksdb")); err != nil {
			return nil, errors.Join(err, e.close())
		}
		e.base = func(i int) error {
			return raw.db.Put(raw.wo, ks.raw[ks.order[i%len(ks.order)]], ks.values[i%valuePool])
		}
	}
	return e, nil
}

// setupTransaction opens one empty cache for both sides.
func setupTransaction(bool, bool) (*env, error) {
	ks := theKeys()
	dir, err := os.MkdirTemp("", "slipstream-bench-kv-txn-")
	if err != nil {
		return nil, err
	}
	cache, err := openCache(dir)
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	ctx := context.Background()
	return &env{
		slip: func(i int) error {
			k, v := ks.str[ks.order[i%len(ks.order)]], ks.values[i%valuePool]
			return cache.Transaction(ctx, k, func() error { return cache.Set(k, v) })
		},
		base: func(i int) error {
			return cache.Set(ks.str[ks.order[i%len(ks.order)]], ks.values[i%valuePool])
		},
		close: func() error { return errors.Join(cache.Close(), os.RemoveAll(dir)) },
	}, nil
}

// The Get database: made once per process (per numKeys), kept open on both
// sides until Cleanup.
var (
	getMu sync.Mutex
	getDB *filled
)

// A filled database: numKeys keys, Value(k) under Key(k), filled through
// grocksdb in key order, flushed and compacted, then checkpointed twice
// (hard links to the same table files), one copy opened by each side.
type filled struct {
	dir   string
	n     int
	cache *kv.Cache[string, []byte]
	raw   *rawDB
}

// setupGet returns the ops of reading the filled database, making it first
// if need be. Closing does nothing: the database stays open for the next
// benchmark, until Cleanup.
func setupGet(bool, bool) (*env, error) {
	ks := theKeys()
	f, err := theFilled()
	if err != nil {
		return nil, err
	}
	return &env{
		slip: func(i int) error {
			k := ks.order[i%len(ks.order)]
			v, err := f.cache.Get(ks.str[k])
			if err != nil {
				return err
			}
			if len(v.OrEmpty()) != ValueSize {
				return fmt.Errorf("kvbench: Cache.Get(%q) = %v, want %d bytes", ks.str[k], v, ValueSize)
			}
			return nil
		},
		base: func(i int) error {
			k := ks.order[i%len(ks.order)]
			v, err := f.raw.db.GetBytes(f.raw.ro, ks.raw[k])
			if err != nil {
				return err
			}
			if len(v) != ValueSize {
				return fmt.Errorf("kvbench: GetBytes(%q) = %q, want %d bytes", ks.raw[k], v, ValueSize)
			}
			return nil
		},
		close: func() error { return nil },
	}, nil
}

func theFilled() (*filled, error) {
	getMu.Lock()
	defer getMu.Unlock()
	if getDB != nil && getDB.n == numKeys {
		return getDB, nil
	}
	if getDB != nil {
		getDB.remove()
		getDB = nil
	}
	f, err := fill(theKeys())
	if err != nil {
		return nil, err
	}
	getDB = f
	return f, nil
}

// Cleanup closes and removes the Get database, if it was made. Call it
// when the process is done benchmarking.
func Cleanup() {
	getMu.Lock()
	defer getMu.Unlock()
	if getDB != nil {
		getDB.remove()
		getDB = nil
	}
}

func (f *filled) remove() {
	if f.cache != nil {
		f.cache.Close()
	}
	if f.raw != nil {
		f.raw.close()
	}
	os.RemoveAll(f.dir)
}

// fill makes the Get database.
func fill(ks *keySet) (_ *filled, err error) {
	dir, err := os.MkdirTemp("", "slipstream-bench-kv-get-")
	if err != nil {
		return nil, err
	}
	f := &filled{dir: dir, n: len(ks.str)}
	defer func() {
		if err != nil {
			f.remove()
		}
	}()
	base := filepath.Join(dir, "base")
	raw, err := openRaw(base)
	if err != nil {
		return nil, err
	}
	if err := fillBase(raw, ks); err != nil {
		raw.close()
		return nil, fmt.Errorf("kvbench: filling %s: %w", base, err)
	}
	cp, err := raw.db.NewCheckpoint()
	if err == nil {
		for _, side := range []string{"slipstream", "grocksdb"} {
			if err = cp.CreateCheckpoint(filepath.Join(dir, side), 0); err != nil {
				break
			}
		}
		cp.Destroy()
	}
	raw.close()
	if err != nil {
		return nil, fmt.Errorf("kvbench: checkpointing %s: %w", base, err)
	}
	if err := os.RemoveAll(base); err != nil {
		return nil, err
	}
	if f.cache, err = openCache(filepath.Join(dir, "slipstream")); err != nil {
		return nil, err
	}
	if f.raw, err = openRaw(filepath.Join(dir, "grocksdb")); err != nil {
		return nil, err
	}
	return f, nil
}

// fillBase writes every key in order, in batches, then flushes and
// compacts, and checks that the FIFO window has dropped nothing.
func fillBase(raw *rawDB, ks *keySet) error {
	wb := grocksdb.NewWriteBatch()
	defer wb.Destroy()
	for k := range ks.raw {
		wb.Put(ks.raw[k], Value(k))
		if wb.Count() == 10_000 || k == len(ks.raw)-1 {
			if err := raw.db.Write(raw.wo, wb); err != nil {
				return err
			}
			wb.Clear()
		}
	}
	fo := grocksdb.NewDefaultFlushOptions()
	defer fo.Destroy()
	fo.SetWait(true)
	if err := raw.db.Flush(fo); err != nil {
		return err
	}
	raw.db.CompactRange(grocksdb.Range{})
	// FIFO compaction drops the oldest table files first: if the first key
	// is still there, every key is.
	for _, k := range []int{0, len(ks.raw) - 1} {
		v, err := raw.db.GetBytes(raw.ro, ks.raw[k])
		if err != nil {
			return err
		}
		if len(v) != ValueSize {
			return fmt.Errorf("key %s missing after compaction (FIFO window exceeded: %s bytes of table files)",
				ks.raw[k], raw.db.GetProperty("rocksdb.total-sst-files-size"))
		}
	}
	return nil
}
