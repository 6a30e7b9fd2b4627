// Package kv is persistent key-value state for stream processing: the
// slipstream Cache, on RocksDB.
//
// A [Cache] maps keys of one type to values of another, stores them on disk
// through a pair of codecs, and survives restarts:
//
//	cache, err := kv.Open("state/emoji", codec.StringKey(), codec.String(), nil)
//	if err != nil {
//		return err
//	}
//	defer cache.Close()
//
//	err = cache.Set("prize", "🏆")
//	prize, err := cache.Get("prize") // mo.Some("🏆")
//	phone, err := cache.Get("phone") // mo.None[string](): absent is not an error
//
// Beneath it, a [Store] is an ordered map of bytes to bytes. [OpenRocks]
// opens one on RocksDB; [NewMemory] makes one in memory, with the same
// behaviour, for unit tests. Both pass one conformance suite, in package
// [github.com/slipstream-go/slipstream/kv/kvtest]. [New] puts a Cache on any
// Store.
//
// # Keys, order and iteration
//
// A store keeps its keys sorted byte by byte, so iteration follows the order
// of the key encodings. The order-preserving key codecs of package
// [codec] make that the order of the keys themselves: [codec.StringKey] for
// strings, [codec.Int] and [codec.Uint] for integers (so that 9 comes before
// 10, and -1 before 0, unlike in the original), [codec.Time] for instants.
// [codec.JSON] keys work for Get and Set, but do not sort usefully.
//
// [Cache.Iter] returns an [Iterator]: all keys in order by default, or those
// with a prefix, from a key on, or backwards. Its Items, Keys and Values
// methods are Go iterators for range loops, and a pass that fails (a value
// that cannot be decoded, a failing disk) stops early and reports why through
// [Iterator.Err]:
//
//	it := cache.Iter().Prefix("user:")
//	for k, v := range it.Items() {
//		fmt.Println(k, v)
//	}
//	if err := it.Err(); err != nil {
//		return err
//	}
//
// Backwards from a key, a pass starts at the nearest key at or before it:
// on a cache keyed by time, the latest entry at or before an instant. That
// is a temporal join, as in examples/join:
//
//	weather, err := byTime.Iter().From(activity.Time).Reverse().First()
//
// # Writing
//
// [Cache.Set], [Cache.Delete] and [Cache.DeleteRange] (whose end is
// excluded) each write at once. A [Batch] applies several writes atomically,
// even across the caches of several column families ([Cache.BatchOn]). With
// [Options.Sync], each write returns only once it is on disk, so that it
// survives a crash of the machine; without it, a write survives a crash of
// the process as soon as it returns.
//
// # Transactions
//
// [Cache.Transaction] runs a function while it holds one key: other
// transactions on that key wait, from any goroutine, while transactions on
// other keys go ahead. It makes read-modify-write safe:
//
//	err := counts.Transaction(ctx, "visits", func() error {
//		n, err := counts.Get("visits")
//		if err != nil {
//			return err
//		}
//		return counts.Set("visits", n.OrEmpty()+1)
//	})
//
// As in the original, plain reads and writes ignore transactions; unlike
// the original, transactions work across goroutines, and keys never share a
// lock. A transaction is a lock, not a database transaction: its writes are
// not atomic (use a Batch for that).
//
// # In a stream app
//
// A Cache is a [stream.Sink] of [Entry] values: a handler that returns
// entries stores them, or deletes their keys when Deleted is set. It is also
// a [streamio.Subscribable] source, its change feed: a handler bound to the
// cache sees every write made through it (sets and deletes) while the app
// runs, in order. In an app where handlers also write to the cache, the feed
// ends once they have; otherwise it runs until the app stops, or the cache
// closes.
//
//	app := stream.NewApp()
//	stream.Handle(app, trades, stream.Func(toPrice), prices) // writes
//	stream.Handle(app, prices, stream.Do(notify))             // reads every write
//
// [Cache.Replay] is a change feed that starts with the cache's contents.
//
// # Options and disk use
//
// [Options] carry the defaults of the original Cache: FIFO compaction with a
// 25 MiB window, LZ4 compression, small info logs, 1 MiB write buffers, and
// the rest listed with each field. FIFO compaction bounds the disk a cache
// uses: once its table files exceed the window ([Options.TargetTableSize]),
// the oldest files are deleted, whatever their keys. A cache is therefore a
// window over recent writes, right for state such as "the latest weather",
// not a database of record. For a cache that keeps everything, set
// [Options.Compaction] to [Level]. Any other RocksDB option can be set with
// [Options.Raw].
//
// # Errors
//
// Opening a database that another process has open fails with an error
// wrapping [ErrLocked]; opening a path that is a file fails with one wrapping
// [ErrNotDatabase]. Both name the path. Bytes that a codec cannot decode
// give an error that names the key, never a panic. Operations on a closed
// cache or store return [ErrClosed].
//
// # Building
//
// The RocksDB store uses cgo, through github.com/linxGnu/grocksdb v1.7.15,
// against the RocksDB C library 7.8: on Debian and Ubuntu, install it with
//
//	apt-get install librocksdb-dev
//
// Without it, building this package fails in grocksdb with
// "rocksdb/c.h: No such file or directory". grocksdb is the maintained fork
// of github.com/tecbot/gorocksdb, which no longer compiles against RocksDB 7;
// v1.7.15 is the release that matches RocksDB 7.8. Built without cgo
// (CGO_ENABLED=0), the package still compiles: [OpenRocks] and [Open] then
// return an error that says what is missing, and [NewMemory] works.
package kv
