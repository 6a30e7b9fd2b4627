package kv

import (
	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/kv/store"
)

// A Snapshot is a read-only, consistent view of a [Cache] at the moment
// [Cache.Snapshot] made it: writes made after it do not show. Close it when
// done, to let the database discard the old data it keeps for it.
type Snapshot[K, V any] struct {
	c *Cache[K, V]
	v store.View
}

// Snapshot returns a view of the cache as it is now.
func (c *Cache[K, V]) Snapshot() (*Snapshot[K, V], error) {
	v, err := c.store.Snapshot()
	if err != nil {
		return nil, err
	}
	return &Snapshot[K, V]{c: c, v: v}, nil
}

// Get returns the value key k had when the snapshot was made; see
// [Cache.Get].
func (s *Snapshot[K, V]) Get(k K) (mo.Option[V], error) { return s.c.get(s.v, k) }

// Has reports whether key k had a value when the snapshot was made.
func (s *Snapshot[K, V]) Has(k K) (bool, error) { return s.c.has(s.v, k) }

// Iter returns an [Iterator] over the snapshot's contents.
func (s *Snapshot[K, V]) Iter() *Iterator[K, V] {
	return &Iterator[K, V]{c: s.c, r: s.v}
}

// Close releases the snapshot.
func (s *Snapshot[K, V]) Close() error { return s.v.Close() }
