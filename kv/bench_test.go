package kv

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linxGnu/grocksdb"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
)

// These benchmarks compare a typed Cache with raw grocksdb calls on the
// same options, in the same run: string keys, 100-byte values. The
// project's published figures come from bench/.

const benchKeys = 100_000

func benchKeyList() []string {
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("key%08d", i)
	}
	return keys
}

var benchValue = strings.Repeat("v", 100)

// openRaw opens a grocksdb database at a new path with the Cache's default
// options.
func openRaw(b *testing.B) (*grocksdb.DB, func()) {
	opts, err := store.RocksOptions{}.Grocksdb()
	if err != nil {
		b.Fatal(err)
	}
	db, err := grocksdb.OpenDb(opts, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return db, func() { db.Close(); opts.Destroy() }
}

func openBenchCache(b *testing.B) *Cache[string, string] {
	c, err := Open(b.TempDir(), codec.StringKey(), codec.String(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

func BenchmarkSet(b *testing.B) {
	keys := benchKeyList()
	b.Run("cache", func(b *testing.B) {
		c := openBenchCache(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := c.Set(keys[i%benchKeys], benchValue); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("grocksdb", func(b *testing.B) {
		db, done := openRaw(b)
		defer done()
		wo := grocksdb.NewDefaultWriteOptions()
		defer wo.Destroy()
		bkeys := make([][]byte, len(keys))
		for i, k := range keys {
			bkeys[i] = []byte(k)
		}
		value := []byte(benchValue)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := db.Put(wo, bkeys[i%benchKeys], value); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGet(b *testing.B) {
	keys := benchKeyList()
	b.Run("cache", func(b *testing.B) {
		c := openBenchCache(b)
		for _, k := range keys {
			if err := c.Set(k, benchValue); err != nil {
				b.Fatal(err)
			}
		}
		settle(b, c.Flush, c.Compact)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			v, err := c.Get(keys[i%benchKeys])
			if err != nil || v.IsAbsent() {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("grocksdb", func(b *testing.B) {
		db, done := openRaw(b)
		defer done()
		wo := grocksdb.NewDefaultWriteOptions()
		defer wo.Destroy()
		ro := grocksdb.NewDefaultReadOptions()
		defer ro.Destroy()
		bkeys := make([][]byte, len(keys))
		for i, k := range keys {
			bkeys[i] = []byte(k)
			if err := db.Put(wo, bkeys[i], []byte(benchValue)); err != nil {
				b.Fatal(err)
			}
		}
		fo := grocksdb.NewDefaultFlushOptions()
		defer fo.Destroy()
		fo.SetWait(true)
		settle(b, func() error { return db.Flush(fo) }, func() error { db.CompactRange(grocksdb.Range{}); return nil })
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			v, err := db.GetBytes(ro, bkeys[i%benchKeys])
			if err != nil || v == nil {
				b.Fatal(err)
			}
		}
	})
}

// settle flushes and compacts a freshly filled database, so that the
// measurement does not share the machine with the background work the
// filling started, and both databases are in the same state.
func settle(b *testing.B, flush, compact func() error) {
	if err := flush(); err != nil {
		b.Fatal(err)
	}
	if err := compact(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkTransaction(b *testing.B) {
	keys := benchKeyList()
	ctx := context.Background()
	b.Run("set", func(b *testing.B) {
		c := openBenchCache(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := c.Set(keys[i%benchKeys], benchValue); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("transaction", func(b *testing.B) {
		c := openBenchCache(b)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := keys[i%benchKeys]
			if err := c.Transaction(ctx, k, func() error { return c.Set(k, benchValue) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOverhead measures the cache against raw grocksdb calls on the
// same database, alternating chunks of each, so that both see the same data
// and the same background work: the fairest figure on a busy machine. It
// reports the cache's throughput as a fraction of the raw one.
func BenchmarkOverhead(b *testing.B) {
	keys := benchKeyList()
	bkeys := make([][]byte, len(keys))
	for i, k := range keys {
		bkeys[i] = []byte(k)
	}
	value := []byte(benchValue)
	const chunk = 1000
	measure := func(b *testing.B, raw, cache func(i int)) {
		var tRaw, tCache time.Duration
		n := 0
		run := func(f func(int), t *time.Duration) {
			start := time.Now()
			for i := range chunk {
				f(n + i)
			}
			*t += time.Since(start)
		}
		for b.Loop() {
			// Alternate which goes first, so that neither always meets
			// the background work the other started.
			if n/chunk%2 == 0 {
				run(raw, &tRaw)
				run(cache, &tCache)
			} else {
				run(cache, &tCache)
				run(raw, &tRaw)
			}
			n += chunk
		}
		b.ReportMetric(float64(tRaw)/float64(tCache), "cache/raw-throughput")
		b.ReportMetric(float64(tCache-tRaw)/float64(n), "overhead-ns/op")
	}
	b.Run("get", func(b *testing.B) {
		c := openBenchCache(b)
		d := rawOf(b, c)
		for _, k := range keys {
			if err := c.Set(k, benchValue); err != nil {
				b.Fatal(err)
			}
		}
		settle(b, c.Flush, c.Compact)
		measure(b, func(i int) {
			if v, err := d.db.GetBytes(d.ro, bkeys[i%benchKeys]); err != nil || v == nil {
				b.Fatal(err)
			}
		}, func(i int) {
			if v, err := c.Get(keys[i%benchKeys]); err != nil || v.IsAbsent() {
				b.Fatal(err)
			}
		})
	})
	b.Run("set", func(b *testing.B) {
		c := openBenchCache(b)
		d := rawOf(b, c)
		measure(b, func(i int) {
			if err := d.db.Put(d.wo, bkeys[i%benchKeys], value); err != nil {
				b.Fatal(err)
			}
		}, func(i int) {
			if err := c.Set(keys[i%benchKeys], benchValue); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// A rawHandle is the grocksdb database under a cache (whose default column
// family the cache uses), with the read and write options of the raw side
// of BenchmarkOverhead.
type rawHandle struct {
	db *grocksdb.DB
	ro *grocksdb.ReadOptions
	wo *grocksdb.WriteOptions
}

// rawOf returns the grocksdb database under c, with default read and write
// options, as the cache's own, freed when the benchmark ends.
func rawOf(b *testing.B, c *Cache[string, string]) rawHandle {
	db, _, ok := store.RocksDB(c.Store())
	if !ok {
		b.Fatal("the cache is not on RocksDB")
	}
	r := rawHandle{db: db, ro: grocksdb.NewDefaultReadOptions(), wo: grocksdb.NewDefaultWriteOptions()}
	b.Cleanup(func() { r.ro.Destroy(); r.wo.Destroy() })
	return r
}
