package store

import (
	"errors"
)

// Errors that stores return, and caches pass on. Test for them with
// [errors.Is]; the errors themselves carry more detail, such as the path of
// the database. Package kv exports the same values under the same names.
var (
	// ErrClosed is returned by operations on a store, cursor or view that
	// has been closed.
	ErrClosed = errors.New("kv: closed")

	// ErrLocked is returned when a database is already open, in another
	// process or in this one: RocksDB lets one process at a time open a
	// database for writing.
	ErrLocked = errors.New("database is locked: another process (or another Open in this one) has it open")

	// ErrNotDatabase is returned when the path given to open a database is
	// not a directory, or is a directory that holds no database while
	// [RocksOptions.ErrorIfMissing] or [RocksOptions.ReadOnly] is set.
	ErrNotDatabase = errors.New("not a database")

	// ErrCorrupt is returned when opening a database finds its files
	// damaged: a table file, or a write-ahead log that the
	// [RocksOptions.WALRecovery] mode does not repair by discarding.
	ErrCorrupt = errors.New("the database is damaged")

	// ErrMixedBatch is returned by [Store.Write] when a [WriteBatch] names a
	// store that belongs to another database.
	ErrMixedBatch = errors.New("kv: batch names a store of another database")
)

// DefaultFamily is the name of the column family that [OpenRocks] and
// [NewMemory] return, and that every database has.
const DefaultFamily = "default"

// A Reader reads an ordered key-value space: a [Store], or a [View] of one
// at a moment in time.
//
// Keys are ordered byte by byte, as [bytes.Compare] orders them. The empty
// key is a valid key.
type Reader interface {
	// Get returns the value stored under key, and whether there is one. A
	// missing key is not an error: Get returns found == false and a nil
	// error. The returned slice belongs to the caller.
	Get(key []byte) (value []byte, found bool, err error)

	// Has reports whether a value is stored under key.
	Has(key []byte) (bool, error)

	// NewCursor returns a cursor over the keys k with start <= k < end,
	// and their values, positioned nowhere: call one of its Seek methods
	// first. A nil start means from the first key, a nil end to the last
	// one. Bounding a cursor, rather than comparing its keys, lets the
	// store skip what lies outside the bounds (RocksDB's iterate bounds).
	// A cursor sees the data as it was when the cursor was made, whatever
	// is written afterwards. The caller must close it, and may reuse start
	// and end.
	NewCursor(start, end []byte) (Cursor, error)
}

// A Store is an ordered, byte-level key-value store: one column family of a
// database. [OpenRocks] returns one backed by RocksDB on disk, [NewMemory]
// one held in memory; both pass the same conformance suite (package
// [github.com/slipstream-go/slipstream/kv/store/storetest]). A kv.Cache
// adds types, transactions and a change feed on top of a Store.
//
// A Store is safe for use by several goroutines at once. After Close, every
// method returns [ErrClosed]; Close and Destroy are the exceptions, which
// return nil when called again.
type Store interface {
	Reader

	// Put stores value under key, replacing any value already there. Put
	// does not keep key or value: the caller may reuse them.
	Put(key, value []byte) error

	// Delete removes key and its value. Deleting a missing key is not an
	// error.
	Delete(key []byte) error

	// DeleteRange removes every key k with start <= k < end: the end is
	// excluded. When end <= start it removes nothing.
	DeleteRange(start, end []byte) error

	// Write applies every operation of b, in the order they were added,
	// atomically: a reader sees all of them or none. Every store b names
	// must be a family of the same database as this store, otherwise
	// Write returns [ErrMixedBatch] and writes nothing.
	Write(b *WriteBatch) error

	// Snapshot returns a consistent, read-only view of the store as it is
	// now. The caller must close it.
	Snapshot() (View, error)

	// Family returns the column family called name of the store's
	// database, creating it if it does not exist. Families are separate key
	// spaces that share one database: one write-ahead log, one
	// [Store.Write] across them. Family(DefaultFamily) is the family
	// [OpenRocks] and [NewMemory] return.
	Family(name string) (Store, error)

	// DropFamily deletes the column family called name, with all its data.
	// The default family cannot be dropped. Stores already returned for
	// the family return an error from then on.
	DropFamily(name string) error

	// Families returns the names of the database's column families, the
	// default one included, in no particular order.
	Families() ([]string, error)

	// Flush writes what the store holds in memory to disk. A write is
	// durable without it once it is in the write-ahead log; see
	// [RocksOptions.Sync].
	Flush() error

	// Compact compacts the keys k with start <= k < end, or from the first
	// key when start is nil, or to the last when end is nil. With [FIFO]
	// compaction it also drops the oldest files beyond the window
	// ([RocksOptions.Window]).
	Compact(start, end []byte) error

	// Property returns the value of a database property of the store's
	// family, such as "rocksdb.estimate-num-keys" or "rocksdb.stats", and
	// whether the store knows the property.
	Property(name string) (string, bool)

	// Close closes the whole database the store belongs to, every family
	// of it included, after closing the cursors and views still open on
	// it.
	Close() error

	// Destroy closes the database and deletes all its data: for RocksDB,
	// its files on disk.
	Destroy() error
}

// A View is a read-only, consistent view of a [Store] at one moment, made by
// [Store.Snapshot]: writes made after it do not show. Close releases it.
type View interface {
	Reader
	// Close releases the view and the cursors still open on it.
	Close() error
}

// A Cursor walks the keys of a [Reader] within its bounds, in order,
// forwards or backwards. It is positioned with one of its Seek methods,
// then moved with Next and Prev while Valid reports true. Every move stays
// within the bounds given to [Reader.NewCursor]: "the first key" below is
// the first key within them, and a move that would leave them makes the
// cursor invalid.
//
//	c, err := s.NewCursor([]byte("a"), []byte("b")) // the keys that start with "a"
//	...
//	defer c.Close()
//	for c.SeekToFirst(); c.Valid(); c.Next() {
//		fmt.Printf("%s=%s\n", c.Key(), c.Value())
//	}
//	if err := c.Err(); err != nil { ... }
//
// The slices Key and Value return are valid only until the cursor moves or
// closes, and must not be modified; copy them to keep them. A cursor is not
// safe for use by several goroutines at once.
type Cursor interface {
	// SeekToFirst moves to the first key.
	SeekToFirst()
	// SeekToLast moves to the last key.
	SeekToLast()
	// Seek moves to the first key >= key.
	Seek(key []byte)
	// SeekForPrev moves to the last key <= key.
	SeekForPrev(key []byte)
	// Valid reports whether the cursor is at a key.
	Valid() bool
	// Next moves to the next key; it does nothing if the cursor is not
	// valid.
	Next()
	// Prev moves to the previous key; it does nothing if the cursor is not
	// valid.
	Prev()
	// Key returns the current key, or nil if the cursor is not valid.
	Key() []byte
	// Value returns the current value, or nil if the cursor is not valid.
	Value() []byte
	// Err returns the error that made the cursor invalid, if any: Valid
	// reports false both at the end of the keys and on an error.
	Err() error
	// Close releases the cursor.
	Close() error
}

// A Lender is a [Reader] that can lend a value in memory it owns, saving the
// copy into Go memory that Get makes: the RocksDB store and its views, whose
// values come from C. A kv.Cache decodes a borrowed value, then frees it.
type Lender interface {
	// Borrow returns the value stored under key, and whether there is one,
	// as Get does, but in memory the store owns until Loan.Free.
	Borrow(key []byte) (v Loan, found bool, err error)
}

// A Loan is a value lent by a [Lender]. Data is valid, and must not be
// modified, until Free, which the borrower calls once.
type Loan interface {
	Data() []byte
	Free()
}
