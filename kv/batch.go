package kv

import (
	"context"

	"github.com/slipstream-go/slipstream/kv/store"
)

// A Batch collects writes to a [Cache] and applies them atomically on
// [Batch.Commit]: a reader sees all of them or none, and a crash keeps all
// of them or none. Make one with [Cache.Batch], or with [Cache.BatchOn] to
// write to several caches (column families) of one database atomically.
//
//	b := cache.Batch()
//	b.Set("apple", 3)
//	b.Set("pear", 5)
//	b.Delete("plum")
//	if err := b.Commit(); err != nil { ... }
//
// The adding methods do not return errors: the first key or value that
// cannot be encoded is kept, [Batch.Err] returns it, and Commit fails with it
// without writing anything. A Batch is not safe for use by several
// goroutines at once.
type Batch[K, V any] struct {
	c       *Cache[K, V]
	wb      *WriteBatch
	entries []Entry[K, V] // for the change feed, once committed
	gen     uint64        // wb.gen when b's publish hook was added to wb.after
	hooked  bool
}

// Batch returns an empty batch of writes to c.
func (c *Cache[K, V]) Batch() *Batch[K, V] { return c.BatchOn(new(WriteBatch)) }

// BatchOn returns a batch of writes to c that adds them to wb, which the
// batches of other caches (column families) of the same database may add
// to as well. Committing any of those batches writes everything in wb,
// atomically:
//
//	var wb kv.WriteBatch
//	users.BatchOn(&wb).Set(id, user)
//	orders.BatchOn(&wb).Set(orderID, order)
//	err := users.BatchOn(&wb).Commit() // both, or neither
func (c *Cache[K, V]) BatchOn(wb *WriteBatch) *Batch[K, V] {
	return &Batch[K, V]{c: c, wb: wb}
}

// WriteBatch returns the byte-level batch that b adds to.
func (b *Batch[K, V]) WriteBatch() *WriteBatch { return b.wb }

// fail keeps err as the batch's error if it is the first.
func (b *Batch[K, V]) fail(err error) {
	if b.wb.err == nil {
		b.wb.err = err
	}
}

// record keeps e for the change feed, which hears of it once committed.
func (b *Batch[K, V]) record(e Entry[K, V]) {
	if b.hooked && b.gen == b.wb.gen {
		b.entries = append(b.entries, e)
		return
	}
	// First write since wb was last reset: b's earlier entries, if any,
	// were committed or discarded with it.
	clear(b.entries)
	b.entries = append(b.entries[:0], e)
	b.hooked, b.gen = true, b.wb.gen
	b.wb.after = append(b.wb.after, func() {
		for _, e := range b.entries {
			b.c.feed.publish(context.Background(), e) //nolint:errcheck // fails only on a done context
		}
		clear(b.entries)
		b.entries = b.entries[:0]
		b.hooked = false
	})
}

// Set adds to b a write of v under key k.
func (b *Batch[K, V]) Set(k K, v V) {
	kb, vb, err := b.c.encode(k, v)
	if err != nil {
		b.fail(err)
		return
	}
	b.wb.b.Put(b.c.store, kb, vb)
	b.record(Entry[K, V]{Key: k, Value: v})
}

// Delete adds to b a delete of key k.
func (b *Batch[K, V]) Delete(k K) {
	kb, err := b.c.encodeKey(k)
	if err != nil {
		b.fail(err)
		return
	}
	b.wb.b.Delete(b.c.store, kb)
	b.record(Entry[K, V]{Key: k, Deleted: true})
}

// DeleteRange adds to b a delete of the keys k with start <= k < end.
func (b *Batch[K, V]) DeleteRange(start, end K) {
	sb, err := b.c.encodeKey(start)
	if err != nil {
		b.fail(err)
		return
	}
	eb, err := b.c.encodeKey(end)
	if err != nil {
		b.fail(err)
		return
	}
	b.wb.b.DeleteRange(b.c.store, sb, eb)
}

// Len returns the number of writes in the batch (in the whole
// [WriteBatch], when it is shared).
func (b *Batch[K, V]) Len() int { return b.wb.Len() }

// Err returns the first error met while adding to the batch.
func (b *Batch[K, V]) Err() error { return b.wb.err }

// Commit applies every write of the batch (of the whole [WriteBatch], when
// it is shared) atomically, hands the sets and deletes to the readers of
// the change feeds of the caches involved, and empties the batch for reuse.
// If adding failed ([Batch.Err]) or writing fails, Commit writes nothing,
// returns the error, and leaves the batch as it was.
func (b *Batch[K, V]) Commit() error {
	wb := b.wb
	if wb.err != nil {
		return wb.err
	}
	if err := b.c.store.Write(&wb.b); err != nil {
		return err
	}
	after := append([]func(){}, wb.after...)
	wb.Reset()
	for _, f := range after {
		f()
	}
	return nil
}

// A WriteBatch holds the writes of the [Batch]es made on it with
// [Cache.BatchOn], to caches of one database, until one of them commits
// them all. The zero WriteBatch is empty and ready to use; it is not safe
// for use by several goroutines at once.
type WriteBatch struct {
	b     store.WriteBatch
	err   error    // the first error a Batch met while adding
	after []func() // run by Commit once the batch is written
	gen   uint64   // counts resets, which discard after
}

// Len returns the number of writes in b.
func (b *WriteBatch) Len() int { return b.b.Len() }

// Reset discards the writes in b, so that it can be used again.
func (b *WriteBatch) Reset() {
	b.b.Reset()
	b.err = nil
	clear(b.after)
	b.after = b.after[:0]
	b.gen++
}
