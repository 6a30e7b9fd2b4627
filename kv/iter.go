package kv

import (
	"bytes"
	"iter"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/kv/store"
)

// An Iterator walks a [Cache], or a [Snapshot] of one, in key order: all of
// it by default, narrowed by [Iterator.Prefix], started elsewhere by
// [Iterator.From], walked backwards after [Iterator.Reverse]. Its methods
// Items, Keys and Values return Go iterators for range loops; each loop is a
// new pass over the data as it is when the loop starts.
//
// A pass stops at the first error, a key or value that cannot be decoded or
// a failing store, and [Iterator.Err] then returns the error. Check it after
// the loop:
//
//	it := cache.Iter().Prefix("user:")
//	for k, v := range it.Items() {
//		fmt.Println(k, v)
//	}
//	if err := it.Err(); err != nil {
//		return err
//	}
//
// An Iterator is not safe for use by several goroutines at once, but each
// goroutine may make its own with [Cache.Iter].
type Iterator[K, V any] struct {
	c *Cache[K, V]
	r store.Reader

	prefix, from       []byte
	hasPrefix, hasFrom bool
	reverse            bool
	setupErr, err      error
}

// Prefix narrows the iterator to the keys whose encoding starts with the
// encoding of p. With [codec.StringKey] that is the keys that start with
// the string p; with a fixed-size encoding, such as [codec.Int], only p
// itself. Without [Iterator.From], a forward pass starts at the first such
// key and a backward pass at the last one; a pass stops at the first key
// without the prefix.
func (it *Iterator[K, V]) Prefix(p K) *Iterator[K, V] {
	b, err := it.c.encodeKey(p)
	if err != nil && it.setupErr == nil {
		it.setupErr = err
	}
	it.prefix, it.hasPrefix = b, err == nil
	return it
}

// From starts the iterator at key k: a forward pass at the first key >= k,
// a backward pass ([Iterator.Reverse]) at the last key <= k, the nearest
// key at or before k. Key k need not be in the cache.
//
// Backwards from a time, on a cache keyed by [codec.Time], the first item
// is the latest one at or before that time: a temporal join.
func (it *Iterator[K, V]) From(k K) *Iterator[K, V] {
	b, err := it.c.encodeKey(k)
	if err != nil && it.setupErr == nil {
		it.setupErr = err
	}
	it.from, it.hasFrom = b, err == nil
	return it
}

// Reverse makes the iterator walk from the last key to the first.
func (it *Iterator[K, V]) Reverse() *Iterator[K, V] {
	it.reverse = true
	return it
}

// Err returns the error that ended the last pass early, or nil.
func (it *Iterator[K, V]) Err() error { return it.err }

// Items returns a Go iterator over the keys and values, for a range loop.
func (it *Iterator[K, V]) Items() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		it.scan(func(c store.Cursor) bool {
			kb := c.Key()
			k, err := it.c.decodeKey(kb)
			if err != nil {
				it.err = err
				return false
			}
			v, err := it.c.decodeValue(k, c.Value())
			if err != nil {
				it.err = err
				return false
			}
			return yield(k, v)
		})
	}
}

// Keys returns a Go iterator over the keys, for a range loop. It does not
// decode the values.
func (it *Iterator[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		it.scan(func(c store.Cursor) bool {
			k, err := it.c.decodeKey(c.Key())
			if err != nil {
				it.err = err
				return false
			}
			return yield(k)
		})
	}
}

// Values returns a Go iterator over the values, for a range loop. It does
// not decode the keys, but names the key in a decoding error.
func (it *Iterator[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		it.scan(func(c store.Cursor) bool {
			v, err := it.c.decodeValueRaw(c.Key(), c.Value())
			if err != nil {
				it.err = err
				return false
			}
			return yield(v)
		})
	}
}

// First returns the first item of a pass, or [mo.None] if the pass has
// none. With [Iterator.From] and [Iterator.Reverse], it is the entry with
// the greatest key at or before a given one:
//
//	weather, err := byTime.Iter().From(t).Reverse().First()
func (it *Iterator[K, V]) First() (mo.Option[Entry[K, V]], error) {
	for k, v := range it.Items() {
		return mo.Some(Entry[K, V]{Key: k, Value: v}), nil
	}
	return mo.None[Entry[K, V]](), it.err
}

// scan makes a pass, calling fn at each key until it returns false.
func (it *Iterator[K, V]) scan(fn func(store.Cursor) bool) {
	it.err = it.setupErr
	if it.err != nil {
		return
	}
	c, err := it.r.NewCursor()
	if err != nil {
		it.err = err
		return
	}
	defer c.Close()
	step := c.Next
	if it.reverse {
		step = c.Prev
	}
	for it.seek(c); c.Valid(); step() {
		if it.hasPrefix && !bytes.HasPrefix(c.Key(), it.prefix) {
			return
		}
		if !fn(c) {
			return
		}
	}
	it.err = c.Err()
}

// seek positions c where a pass starts.
func (it *Iterator[K, V]) seek(c store.Cursor) {
	if !it.reverse {
		start := it.prefix // nil without a prefix
		if it.hasFrom && (start == nil || bytes.Compare(it.from, start) > 0) {
			start = it.from
		}
		if start == nil {
			c.SeekToFirst()
		} else {
			c.Seek(start)
		}
		return
	}
	var end []byte // the first key after every key with the prefix
	if it.hasPrefix {
		end = successor(it.prefix)
	}
	switch {
	case it.hasFrom && (end == nil || bytes.Compare(it.from, end) < 0):
		c.SeekForPrev(it.from)
	case end != nil:
		// The last key < end: Seek lands at or after end, one step back
		// is before it; or nothing is at or after end, and the last key
		// is.
		c.Seek(end)
		if c.Valid() {
			c.Prev()
		} else if c.Err() == nil {
			c.SeekToLast()
		}
	default:
		c.SeekToLast()
	}
}

// successor returns the smallest key greater than every key that starts
// with p, or nil if there is none (p is empty or all 0xff bytes).
func successor(p []byte) []byte {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] != 0xff {
			s := bytes.Clone(p[:i+1])
			s[i]++
			return s
		}
	}
	return nil
}
