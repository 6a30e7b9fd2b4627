package kv

import (
	"bytes"
	"iter"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/kv/store"
)

// An Iterator walks a [Cache], or a [Snapshot] of one, in key order: all of
// it by default. Its bounds choose which keys a pass sees: those with a
// prefix ([Iterator.Prefix]), before a key ([Iterator.To]), or within a
// range ([Iterator.Range]), in either direction. [Iterator.From] chooses
// where among them a pass starts, and [Iterator.Reverse] walks backwards.
// Its methods Items, Keys and Values return Go iterators for range loops;
// each loop is a new pass over the data as it is when the loop starts.
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
// Keys compare as their encodings do, byte by byte (see the package doc).
// An Iterator is not safe for use by several goroutines at once, but each
// goroutine may make its own with [Cache.Iter].
type Iterator[K, V any] struct {
	c *Cache[K, V]
	r store.Reader

	prefix, from, lower, upper []byte // nil for none
	reverse                    bool
	setupErr, err              error
}

// key encodes k for a bound or a start, keeping the first error for the
// passes to report. The result is never nil, which means no bound or
// start: the empty key is a key like any other.
func (it *Iterator[K, V]) key(k K) []byte {
	b, err := it.c.encodeKey(k)
	if err != nil && it.setupErr == nil {
		it.setupErr = err
	}
	if b == nil {
		b = []byte{}
	}
	return b
}

// Prefix narrows the iterator to the keys whose encoding starts with the
// encoding of p. With [codec.StringKey] that is the keys that start with
// the string p; with a fixed-size encoding, such as [codec.Int], only p
// itself.
func (it *Iterator[K, V]) Prefix(p K) *Iterator[K, V] {
	it.prefix = it.key(p)
	return it
}

// To narrows the iterator to the keys before k, k excluded, in either
// direction: forwards, a pass ends before k; backwards, it starts at the
// last key before k.
func (it *Iterator[K, V]) To(k K) *Iterator[K, V] {
	it.upper = it.key(k)
	return it
}

// Range narrows the iterator to the keys from lo, included, to hi,
// excluded, in either direction: forwards, a pass runs from lo to the last
// key before hi; backwards, from that key down to lo. Range(lo, hi) is
// From(lo).To(hi) for a forward pass, but also bounds a backward one.
func (it *Iterator[K, V]) Range(lo, hi K) *Iterator[K, V] {
	it.lower, it.upper = it.key(lo), it.key(hi)
	return it
}

// From starts the iterator at key k, within its bounds: a forward pass at
// the first key >= k, a backward pass ([Iterator.Reverse]) at the last key
// <= k, the nearest key at or before k. Key k need not be in the cache.
//
// Backwards from a time, on a cache keyed by [codec.Time], the first item
// is the latest one at or before that time: a temporal join.
func (it *Iterator[K, V]) From(k K) *Iterator[K, V] {
	it.from = it.key(k)
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
	start, end := it.bounds()
	c, err := it.r.NewCursor(start, end)
	if err != nil {
		it.err = err
		return
	}
	defer c.Close()
	step := c.Next
	switch {
	case it.reverse:
		step = c.Prev
		if it.from != nil {
			c.SeekForPrev(it.from)
		} else {
			c.SeekToLast()
		}
	case it.from != nil:
		c.Seek(it.from)
	default:
		c.SeekToFirst()
	}
	for ; c.Valid(); step() {
		if !fn(c) {
			return
		}
	}
	it.err = c.Err()
}

// bounds returns the keys a pass sees as the bounds of a cursor: the
// narrowest of the prefix's and the range's, nil for none.
func (it *Iterator[K, V]) bounds() (start, end []byte) {
	start, end = it.lower, it.upper
	if it.prefix != nil {
		if start == nil || bytes.Compare(it.prefix, start) > 0 {
			start = it.prefix
		}
		// The keys with the prefix end before its successor; when it has
		// none (an empty prefix, or all 0xff bytes), at the last key.
		if succ := successor(it.prefix); succ != nil && (end == nil || bytes.Compare(succ, end) < 0) {
			end = succ
		}
	}
	return start, end
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
