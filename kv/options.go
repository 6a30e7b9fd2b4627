package kv

import (
	"log/slog"

	"github.com/slipstream-go/slipstream/kv/store"
)

// MiB is a mebibyte, 1024 × 1024 bytes, for [Options.Window].
const MiB = 1 << 20

// Options configure the RocksDB database that [Open] opens. A zero field
// takes the default given with it; a nil *Options means all the defaults.
// Every other RocksDB setting is in package
// [github.com/slipstream-go/slipstream/kv/store]: open a store there with
// [store.OpenRocks] and [store.RocksOptions], and wrap it with [New].
type Options struct {
	// Compaction chooses what the database keeps. Default [Level]:
	// everything. [FIFO] is the original's window (see the package doc).
	Compaction Compaction

	// Window is the size of the FIFO window, in bytes: once the table
	// files hold more, the oldest are deleted, whatever their keys.
	// Default 25 MiB; only with Compaction [FIFO] (Open fails otherwise).
	Window int64

	// Sync makes each write return only once it is on disk, so that it
	// survives a crash of the machine, not only of the process. Writes are
	// much slower with it.
	Sync bool

	// WALRecovery chooses what Open does when the write-ahead log is
	// damaged (see the package doc). Default [RecoverPointInTime].
	WALRecovery WALRecovery

	// ReadOnly opens an existing database read-only: writes fail, and
	// several processes may open it at once.
	ReadOnly bool

	// Logger reports writes that Open had to discard. Default
	// [slog.Default].
	Logger *slog.Logger
}

// Compaction is a RocksDB compaction style: what a database keeps.
type Compaction = store.Compaction

// The compaction styles.
const (
	// Level is leveled compaction, RocksDB's own default: it keeps
	// everything. The default.
	Level = store.Level
	// Universal is universal (tiered) compaction: it keeps everything,
	// trading space for fewer rewrites.
	Universal = store.Universal
	// FIFO keeps the newest Options.Window bytes of table files and
	// deletes the oldest files beyond that: the original's default.
	FIFO = store.FIFO
)

// WALRecovery is what opening a database does when its write-ahead log is
// damaged; see the package doc.
type WALRecovery = store.WALRecovery

// The WAL recovery modes, RocksDB's.
const (
	// RecoverPointInTime opens the database as it was before the damage:
	// the writes logged after it are lost, and Open logs a warning. The
	// default.
	RecoverPointInTime = store.RecoverPointInTime
	// RecoverAbsoluteConsistency makes Open fail, with an error wrapping
	// [ErrCorrupt], at any damage.
	RecoverAbsoluteConsistency = store.RecoverAbsoluteConsistency
	// RecoverTolerateCorruptedTail ignores a damaged last record (a write
	// cut short by a crash) and fails Open at any other damage.
	RecoverTolerateCorruptedTail = store.RecoverTolerateCorruptedTail
	// RecoverSkipAnyCorrupted skips damaged records, replays every other,
	// and logs a warning: for salvage.
	RecoverSkipAnyCorrupted = store.RecoverSkipAnyCorrupted
)

// rocks returns the store options for o.
func (o *Options) rocks() *store.RocksOptions {
	if o == nil {
		return nil
	}
	return &store.RocksOptions{
		Compaction:  o.Compaction,
		Window:      o.Window,
		Sync:        o.Sync,
		WALRecovery: o.WALRecovery,
		ReadOnly:    o.ReadOnly,
		Logger:      o.Logger,
	}
}

// Errors that caches return, the same values as package store's. Test for
// them with [errors.Is]; the errors themselves carry more detail, such as
// the path of the database.
var (
	// ErrClosed is returned by operations on a cache, snapshot or
	// iterator whose database has been closed.
	ErrClosed = store.ErrClosed

	// ErrLocked is returned by [Open] when the database is open already,
	// in another process or in this one.
	ErrLocked = store.ErrLocked

	// ErrNotDatabase is returned by [Open] when the path is a file, or,
	// with [Options.ReadOnly], holds no database.
	ErrNotDatabase = store.ErrNotDatabase

	// ErrCorrupt is returned by [Open] when the database's files are
	// damaged beyond what [Options.WALRecovery] repairs.
	ErrCorrupt = store.ErrCorrupt

	// ErrMixedBatch is returned by [Batch.Commit] when a shared
	// [WriteBatch] holds writes to caches of different databases.
	ErrMixedBatch = store.ErrMixedBatch
)
