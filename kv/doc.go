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
// [NewMemory] makes a Cache in memory, with the same behaviour, for tests.
//
// # Keys and order
//
// A cache keeps its keys sorted by their encodings, byte by byte. The
// order-preserving key codecs of package [codec] make that the order of the
// keys themselves: [codec.StringKey] for strings, [codec.Int] and
// [codec.Uint] for integers (9 before 10, -1 before 0), [codec.Time] for
// instants, and [codec.PairKey] for composite keys, such as (time, ID), so
// that events of one instant do not overwrite each other. [codec.JSON] keys
// work for Get and Set, but do not sort usefully. Wherever this package
// compares keys (ranges, prefixes, "before"), it compares their encodings.
//
// # Iteration
//
// [Cache.Iter] returns an [Iterator]. Its bounds choose which keys a pass
// sees: those with a prefix ([Iterator.Prefix]), before a key
// ([Iterator.To]), or in a range ([Iterator.Range]), the start included and
// the end excluded. [Iterator.From] chooses where among them a pass starts,
// and [Iterator.Reverse] walks backwards. The store stops at the bounds
// itself (RocksDB's iterate bounds), without reading on. Items, Keys and
// Values are Go iterators for range loops; a pass that fails (a value that
// cannot be decoded, a failing disk) stops early and reports why through
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
// even across the caches of several column families of one database
// ([Cache.BatchOn]). With [Options.Sync], each write returns only once it is
// on disk, so that it survives a crash of the machine; without it, a write
// survives a crash of the process as soon as it returns. A [Snapshot] reads
// the cache as it was at one moment.
//
// # Recovery
//
// Writes reach RocksDB's write-ahead log first, which [Open] replays. If
// part of the log is damaged (a failing disk, a stray write, a record torn
// by a machine crash), RocksDB by default recovers the cache to the point
// before the damage: the writes logged after it are gone, acknowledged
// ones included, and Open logs a warning that names the log file
// ([Options.Logger]). [Options.WALRecovery] chooses otherwise:
// [RecoverAbsoluteConsistency] makes Open fail with an error wrapping
// [ErrCorrupt], so that nothing is lost unseen and a program or a person
// decides (to open it with the default after all, for one);
// [RecoverSkipAnyCorrupted] keeps every intact record, for salvage. One
// kind of damage escapes RocksDB 7.8 in every mode, and so this report: a
// record header overwritten with zero bytes, which it takes for padding
// (see [store.WALRecovery]).
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
// Plain reads and writes ignore transactions. A transaction is a lock, not
// a database transaction: its writes are not atomic (use a Batch for that).
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
// # Disk use
//
// A cache keeps every key until it is deleted (RocksDB's level
// compaction), and its files grow with what it holds. [FIFO] compaction
// keeps a window instead, as the original did by default: once the table
// files exceed [Options.Window], the oldest are deleted, whatever their
// keys. That suits state that may expire by age, such as "the latest
// weather", never counts, aggregates or a checkpoint's state:
//
//	recent, err := kv.Open("state/weather", codec.Time(), codec.String(),
//		&kv.Options{Compaction: kv.FIFO, Window: 25 * kv.MiB})
//
// # Storage
//
// Package [github.com/slipstream-go/slipstream/kv/store] holds what lies
// beneath a Cache, as database/sql/driver lies beneath database/sql: the
// byte-level Store interface, the RocksDB and memory stores, every RocksDB
// setting, and the conformance suite for new stores. To tune RocksDB, open
// a store there and wrap it with [New]; [Cache.Store] reaches the store of
// a cache, and through it the database's other column families.
//
// # Errors
//
// Opening a database that another process has open fails with an error
// wrapping [ErrLocked]; opening a path that is a file fails with one wrapping
// [ErrNotDatabase]; opening a damaged database that recovery may not
// repair (see Recovery) fails with one wrapping [ErrCorrupt]. All name the
// path. Bytes that a codec cannot decode
// give an error that names the key, never a panic. Operations on a closed
// cache return [ErrClosed].
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
// (CGO_ENABLED=0), the package still compiles: [Open] then returns an error
// that says what is missing, and [NewMemory] works.
//
// # Differences from the original
//
// The Python slipstream Cache, which this package ports, differs as follows:
//
//   - A cache keeps every key. The original's default was FIFO compaction
//     with a 25 MiB window (its target_table_size), which deletes the
//     oldest data once the window is full: [FIFO] and [Options.Window]
//     bring it back. Its other defaults are kept: LZ4, 1 MiB write
//     buffers, small info logs.
//   - Open says when recovering the write-ahead log discarded writes, and
//     can refuse to open instead ([Options.WALRecovery]); the original
//     opened such a database without a word.
//   - Integer keys sort in numeric order with [codec.Int] and [codec.Uint]:
//     9 before 10, -1 before 0, unlike in the original.
//   - Transactions work across goroutines, and keys never share a lock,
//     unlike in the original; as in the original, plain reads and writes
//     ignore transactions.
package kv
