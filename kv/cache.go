package kv

import (
	"context"
	"fmt"
	"strings"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/zerocopy"
	"github.com/slipstream-go/slipstream/kv/store"
)

// A Cache is a persistent map from keys of type K to values of type V,
// ordered by the keys' encodings (see the package doc), stored through two
// codecs: the port of slipstream's Cache. It is a [stream.Sink] of [Entry]
// values and, through its change feed, a source of the writes made to it.
//
// A Cache is safe for use by several goroutines at once. Whoever opens it
// closes it: an app that uses it as a source or sink does not close it when
// it stops, so that the cache can outlive the app.
type Cache[K, V any] struct {
	store  store.Store
	keys   codec.Codec[K]
	values codec.Codec[V]
	// viewKey and viewValue are the codecs' encoders that may return views
	// of a key's or value's own memory (see zerocopy.Encoder): every
	// store, batch and cursor copies what it is given, so the bytes are
	// only read, and only during the call.
	viewKey   func(K) ([]byte, error)
	viewValue func(V) ([]byte, error)
	locks     lockTable
	feed      feed[K, V]
}

// Open opens (or creates) the RocksDB database in the directory path and
// returns a Cache over it that encodes keys with keys and values with
// values. A nil opts means the defaults of [Options]. Close the cache when
// done with it.
//
//	cache, err := kv.Open("state/prices", codec.StringKey(), codec.JSON[Price](), nil)
func Open[K, V any](path string, keys codec.Codec[K], values codec.Codec[V], opts *Options) (*Cache[K, V], error) {
	s, err := store.OpenRocks(path, opts.rocks())
	if err != nil {
		return nil, err
	}
	return New(s, keys, values), nil
}

// NewMemory returns a Cache held in memory, which behaves as one on RocksDB
// but keeps nothing once the process ends: for tests.
func NewMemory[K, V any](keys codec.Codec[K], values codec.Codec[V]) *Cache[K, V] {
	return New(store.NewMemory(), keys, values)
}

// New returns a Cache over the store s, which encodes keys with keys and
// values with values: for a store opened with package store's tuning, or
// another column family of a cache's database:
//
//	orders, err := users.Store().Family("orders")
//	...
//	byID := kv.New(orders, codec.Int[int64](), codec.JSON[Order]())
//
// Transactions ([Cache.Transaction]) and the change feed belong to the
// Cache value: make one Cache per store and share it.
func New[K, V any](s store.Store, keys codec.Codec[K], values codec.Codec[V]) *Cache[K, V] {
	if s == nil || keys == nil || values == nil {
		panic("kv.New: store and codecs must not be nil")
	}
	c := &Cache[K, V]{store: s, keys: keys, values: values, viewKey: zerocopy.Encoder(keys), viewValue: zerocopy.Encoder(values)}
	c.feed.init()
	return c
}

// Store returns the store the cache reads and writes: to reach the
// database's other column families with [store.Store.Family], its
// properties, or bytes that the codecs cannot read.
func (c *Cache[K, V]) Store() store.Store { return c.store }

// String describes the cache by its store, as "Cache(rocksdb:/path)".
func (c *Cache[K, V]) String() string { return fmt.Sprintf("Cache(%v)", c.store) }

// encodeKey encodes k, with an error that names it.
func (c *Cache[K, V]) encodeKey(k K) ([]byte, error) {
	b, err := c.viewKey(k)
	if err != nil {
		return nil, fmt.Errorf("kv: %v: encode key %v: %w", c.store, k, err)
	}
	return b, nil
}

// encode encodes k and v, with errors that name the key.
func (c *Cache[K, V]) encode(k K, v V) (kb, vb []byte, err error) {
	if kb, err = c.encodeKey(k); err != nil {
		return nil, nil, err
	}
	if vb, err = c.viewValue(v); err != nil {
		return nil, nil, fmt.Errorf("kv: %v: encode value of key %v: %w", c.store, k, err)
	}
	return kb, vb, nil
}

// decodeValue decodes the value stored under k, with an error that names
// the key.
func (c *Cache[K, V]) decodeValue(k K, b []byte) (V, error) {
	v, err := c.values.Decode(b)
	if err != nil {
		return v, fmt.Errorf("kv: %v: decode value of key %v%s: %w", c.store, k, withCodec(c.values, err), err)
	}
	return v, nil
}

// decodeValueRaw decodes the value stored under the encoded key kb, naming
// the key in its error: decoded if it can be, as bytes otherwise.
func (c *Cache[K, V]) decodeValueRaw(kb, b []byte) (V, error) {
	v, err := c.values.Decode(b)
	if err != nil {
		return v, fmt.Errorf("kv: %v: decode value of key %s%s: %w", c.store, c.describeKey(kb), withCodec(c.values, err), err)
	}
	return v, nil
}

// decodeKey decodes the encoded key kb.
func (c *Cache[K, V]) decodeKey(kb []byte) (K, error) {
	k, err := c.keys.Decode(kb)
	if err != nil {
		return k, fmt.Errorf("kv: %v: decode key %q%s: %w", c.store, kb, withCodec(c.keys, err), err)
	}
	return k, nil
}

// withCodec returns " with codec " and the name of c, for an error message
// about err, unless err names the codec already, as the built-in codecs'
// errors do.
func withCodec[T any](c codec.Codec[T], err error) string {
	name := codec.Name(c)
	if strings.HasPrefix(err.Error(), "codec "+name+":") {
		return ""
	}
	return " with codec " + name
}

// describeKey formats the encoded key kb for an error message.
func (c *Cache[K, V]) describeKey(kb []byte) string {
	if k, err := c.keys.Decode(kb); err == nil {
		return fmt.Sprint(k)
	}
	return fmt.Sprintf("%q", kb)
}

// Get returns the value of key k: [mo.Some] of it, or [mo.None] when the
// key is absent, which is not an error. Get fails if the store does, or if
// the stored bytes cannot be decoded, with an error that names the key.
//
//	price, err := cache.Get("apple")
//	if err != nil { ... }
//	if p, ok := price.Get(); ok { ... }
//	fmt.Println(price.OrElse(0))
func (c *Cache[K, V]) Get(k K) (mo.Option[V], error) {
	return c.get(c.store, k)
}

func (c *Cache[K, V]) get(r store.Reader, k K) (mo.Option[V], error) {
	kb, err := c.encodeKey(k)
	if err != nil {
		return mo.None[V](), err
	}
	var v V
	if l, ok := r.(store.Lender); ok {
		b, found, err := l.Borrow(kb)
		if err != nil || !found {
			return mo.None[V](), err
		}
		v, err = c.decodeValue(k, b.Data()) // codecs copy what they keep
		b.Free()
		if err != nil {
			return mo.None[V](), err
		}
		return mo.Some(v), nil
	}
	b, found, err := r.Get(kb)
	if err != nil || !found {
		return mo.None[V](), err
	}
	v, err = c.decodeValue(k, b)
	if err != nil {
		return mo.None[V](), err
	}
	return mo.Some(v), nil
}

// Has reports whether key k has a value.
func (c *Cache[K, V]) Has(k K) (bool, error) {
	return c.has(c.store, k)
}

func (c *Cache[K, V]) has(r store.Reader, k K) (bool, error) {
	kb, err := c.encodeKey(k)
	if err != nil {
		return false, err
	}
	return r.Has(kb)
}

// Set stores v under key k, replacing any value there, and then hands the
// write to the readers of the cache's change feed, waiting while one of
// them has a full buffer. Plain writes ignore transactions: see
// [Cache.Transaction].
func (c *Cache[K, V]) Set(k K, v V) error {
	return c.set(context.Background(), k, v)
}

func (c *Cache[K, V]) set(ctx context.Context, k K, v V) error {
	kb, vb, err := c.encode(k, v)
	if err != nil {
		return err
	}
	if err := c.store.Put(kb, vb); err != nil {
		return err
	}
	return c.feed.publish(ctx, Entry[K, V]{Key: k, Value: v})
}

// Delete removes key k and its value; deleting a missing key is not an
// error. Readers of the change feed receive an [Entry] with Deleted set.
func (c *Cache[K, V]) Delete(k K) error {
	return c.delete(context.Background(), k)
}

func (c *Cache[K, V]) delete(ctx context.Context, k K) error {
	kb, err := c.encodeKey(k)
	if err != nil {
		return err
	}
	if err := c.store.Delete(kb); err != nil {
		return err
	}
	return c.feed.publish(ctx, Entry[K, V]{Key: k, Deleted: true})
}

// DeleteRange removes every key k with start <= k < end, in the order of
// their encodings: the end is excluded. The change feed does not report
// range deletes.
func (c *Cache[K, V]) DeleteRange(start, end K) error {
	sb, eb, err := c.encodeRange(start, end)
	if err != nil {
		return err
	}
	return c.store.DeleteRange(sb, eb)
}

// encodeRange encodes the bounds of a key range.
func (c *Cache[K, V]) encodeRange(start, end K) (sb, eb []byte, err error) {
	if sb, err = c.encodeKey(start); err != nil {
		return nil, nil, err
	}
	if eb, err = c.encodeKey(end); err != nil {
		return nil, nil, err
	}
	return sb, eb, nil
}

// Iter returns an [Iterator] over the cache's current contents, in key
// order; narrow it with its Prefix, To, Range, From and Reverse methods.
//
//	it := cache.Iter().Prefix("user:")
//	for k, v := range it.Items() {
//		...
//	}
//	if err := it.Err(); err != nil { ... }
func (c *Cache[K, V]) Iter() *Iterator[K, V] {
	return &Iterator[K, V]{c: c, r: c.store}
}

// Flush writes what the cache's database holds in memory to disk. A write
// survives a crash of the process without it; see [Options.Sync].
func (c *Cache[K, V]) Flush() error { return c.store.Flush() }

// Compact compacts all the cache's keys; with [FIFO] compaction it also
// drops the oldest table files beyond the window.
func (c *Cache[K, V]) Compact() error { return c.store.Compact(nil, nil) }

// CompactRange compacts the keys k with start <= k < end.
func (c *Cache[K, V]) CompactRange(start, end K) error {
	sb, eb, err := c.encodeRange(start, end)
	if err != nil {
		return err
	}
	return c.store.Compact(sb, eb)
}

// Close ends the change feed's subscriptions and closes the cache's
// database, with all its column families. Operations on a closed cache
// return [ErrClosed].
func (c *Cache[K, V]) Close() error {
	c.feed.close()
	return c.store.Close()
}

// Destroy closes the cache like [Cache.Close] and deletes its database: all
// its data, on disk too.
func (c *Cache[K, V]) Destroy() error {
	c.feed.close()
	return c.store.Destroy()
}
