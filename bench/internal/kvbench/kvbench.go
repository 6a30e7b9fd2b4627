// Package kvbench holds the bodies of the benchmarks that compare the
// slipstream Cache (package kv) with raw grocksdb calls on a database opened
// with the same RocksDB options, and a bare Cache.Set with one inside an
// uncontended Cache.Transaction. The Benchmark functions of the bench module
// and the cmd/ratios program both run these, so the figures they print come
// from the same code.
//
// Every benchmark uses string keys ("key00000042") taken in a random order
// from a list of [Keys] made once, and values of [ValueSize] bytes. Both
// sides use the original slipstream Cache's FIFO compaction, with its
// 25 MiB window, under which the published figures were measured: the
// Cache's default has since become level compaction, which keeps every key.
//
//   - Set: one op is one write of a key, into a database that starts empty:
//     Cache.Set of a Cache[string, []byte] opened with kv.Open and
//     cacheOptions, against grocksdb's DB.Put with one WriteOptions
//     reused.
//   - Get: one op is one read of a random key of a database of [Keys] keys,
//     filled, flushed and compacted once per process: Cache.Get against
//     grocksdb's DB.GetBytes with one ReadOptions reused.
//   - Transaction: one op is one Cache.Set, bare or inside an uncontended
//     Cache.Transaction on its key, into a cache that starts empty (in the
//     interleaved form, both on one cache).
//
// Each benchmark has its two sides as separate functions, for go test's
// figures compared over time, and an interleaved form that runs both sides
// in alternating chunks of [Chunk] ops within one benchmark, so that both
// meet the same machine load and the same background work of RocksDB: the
// ratios come from that one.
package kvbench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/linxGnu/grocksdb"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/kv/store"
)

const (
	// Keys is the number of distinct keys, and of keys in the Get database.
	Keys = 1_000_000
	// ValueSize is the size of every value, in bytes.
	ValueSize = 100
	// Chunk is the number of ops one side makes before the interleaved
	// benchmarks switch to the other.
	Chunk = 1000
	// valuePool is the number of distinct values the writing benchmarks
	// cycle through.
	valuePool = 1024
)

// numKeys is Keys, lowered by the package's tests to keep them fast.
var numKeys = Keys

// Key returns key number k.
func Key(k int) string { return fmt.Sprintf("key%08d", k) }

// Value returns the value stored under key number k in the Get database:
// ValueSize bytes of text that name the key. Values compress well, as
// small records with repeated field names do, so that the database's table
// files stay within the FIFO window (25 MiB) and no key
// expires: with random bytes, a million values would fill four times that.
func Value(k int) []byte {
	v := fmt.Appendf(make([]byte, 0, ValueSize), `{"key":%q,"payload":"`, Key(k))
	for len(v) < ValueSize-2 {
		v = append(v, '.')
	}
	return append(v, `"}`...)
}

// A keySet is the list of keys and values every benchmark draws from.
type keySet struct {
	str    []string // Key(k)
	raw    [][]byte // the same, as bytes: what codec.StringKey encodes them to
	order  []int    // a random permutation of 0..n-1: op i uses key order[i%n]
	values [][]byte // op i writes values[i%valuePool]
}

var (
	keysMu sync.Mutex
	keys   *keySet
)

// theKeys returns the key set, making it on first use.
func theKeys() *keySet {
	keysMu.Lock()
	defer keysMu.Unlock()
	if keys != nil && len(keys.str) == numKeys {
		return keys
	}
	n := numKeys
	ks := &keySet{str: make([]string, n), raw: make([][]byte, n), values: make([][]byte, valuePool)}
	blob := make([]byte, 0, n*len(Key(0)))
	for k := range n {
		start := len(blob)
		blob = fmt.Appendf(blob, "key%08d", k)
		ks.raw[k] = blob[start:len(blob):len(blob)]
		ks.str[k] = string(ks.raw[k])
	}
	ks.order = rand.New(rand.NewPCG(1, 2)).Perm(n)
	for i := range ks.values {
		ks.values[i] = Value(i)
	}
	keys = ks
	return ks
}

// An op does op number i of a benchmark on one side.
type op func(i int) error

// An env is what one benchmark runs on: the op of the slipstream side, the
// op of the baseline, or both, and what closes the databases they use.
type env struct {
	slip, base op
	close      func() error
}

// A setup opens an env with the ops asked for.
type setup func(slip, base bool) (*env, error)

// A Comparison is one benchmark and its two sides.
type Comparison struct {
	Name     string // the Benchmark function's, without "Benchmark"
	Slip     string // the sub-benchmark name of the slipstream side (for Transaction, the Set in a transaction)
	Base     string // the sub-benchmark name of the baseline (the bare Set)
	setup    setup
	baseTime bool // the ratio is of times (slip ÷ base), not of throughputs
}

// The comparisons, by Benchmark function.
var (
	Set         = Comparison{Name: "CacheSet", Slip: "slipstream", Base: "grocksdb", setup: setupSet}
	Get         = Comparison{Name: "CacheGet", Slip: "slipstream", Base: "grocksdb", setup: setupGet}
	Transaction = Comparison{Name: "Transaction", Slip: "transaction", Base: "set", setup: setupTransaction, baseTime: true}
)

// Comparisons lists them.
var Comparisons = []*Comparison{&Set, &Get, &Transaction}

// Slipstream is the benchmark of the slipstream side.
func (c *Comparison) Slipstream(b *testing.B) { runSide(b, c, true) }

// Baseline is the benchmark of the baseline side.
func (c *Comparison) Baseline(b *testing.B) { runSide(b, c, false) }

// SlipMetric names the figure of Interleaved that is the time of one op of
// the slipstream side, such as "slipstream-ns/op".
func (c *Comparison) SlipMetric() string { return c.Slip + "-ns/op" }

// BaseMetric names the figure of Interleaved that is the time of one op of
// the baseline, such as "grocksdb-ns/op".
func (c *Comparison) BaseMetric() string { return c.Base + "-ns/op" }

// Interleaved runs b.N ops of each side, alternating chunks of Chunk ops of
// one and of the other, and which goes first; one op is one op of each side.
// It reports each side's time per op (SlipMetric, BaseMetric), and their
// ratio: of throughputs, slipstream ÷ grocksdb
// ("slipstream/grocksdb-throughput"), or for Transaction of times,
// transaction ÷ set ("transaction/set-time").
func (c *Comparison) Interleaved(b *testing.B) {
	e, err := c.setup(true, true)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	tSlip, tBase, err := interleave(b.N, e.slip, e.base)
	b.StopTimer()
	if cerr := e.close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tSlip.Nanoseconds())/n, c.SlipMetric())
	b.ReportMetric(float64(tBase.Nanoseconds())/n, c.BaseMetric())
	if c.baseTime {
		b.ReportMetric(float64(tSlip)/float64(tBase), c.Slip+"/"+c.Base+"-time")
	} else {
		b.ReportMetric(float64(tBase)/float64(tSlip), c.Slip+"/"+c.Base+"-throughput")
	}
}

// interleave runs ops 0..n-1 of both sides in alternating chunks and returns
// the time each side took.
func interleave(n int, slip, base op) (tSlip, tBase time.Duration, err error) {
	run := func(do op, from, to int, t *time.Duration) error {
		start := time.Now()
		for i := from; i < to; i++ {
			if err := do(i); err != nil {
				return err
			}
		}
		*t += time.Since(start)
		return nil
	}
	for from, c := 0, 0; from < n; from, c = from+Chunk, c+1 {
		to := min(from+Chunk, n)
		// Alternate which side goes first, so that neither always meets
		// the background work (flushes, compactions) the other started.
		first, second := slip, base
		t1, t2 := &tSlip, &tBase
		if c%2 == 1 {
			first, second, t1, t2 = base, slip, &tBase, &tSlip
		}
		if err := run(first, from, to, t1); err != nil {
			return tSlip, tBase, err
		}
		if err := run(second, from, to, t2); err != nil {
			return tSlip, tBase, err
		}
	}
	return tSlip, tBase, nil
}

// runSide runs b.N ops of one side and reports ops/s.
func runSide(b *testing.B, c *Comparison, slip bool) {
	e, err := c.setup(slip, !slip)
	if err != nil {
		b.Fatal(err)
	}
	do := e.base
	if slip {
		do = e.slip
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err = do(i); err != nil {
			break
		}
	}
	b.StopTimer()
	if cerr := e.close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

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
