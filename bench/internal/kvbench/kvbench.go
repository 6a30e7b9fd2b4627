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
	"fmt"
	"math/rand/v2"
	"sync"
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
