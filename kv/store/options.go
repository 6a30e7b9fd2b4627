package store

import (
	"log/slog"
	"runtime"
	"strconv"
	"time"
)

// mib is a mebibyte, 1024 × 1024 bytes.
const mib = 1 << 20

// RocksOptions configure a RocksDB database opened with [OpenRocks]. Every
// field left at its zero value takes the default listed with it; a nil
// *RocksOptions means all the defaults. They are the original slipstream
// Cache's, but for two: level compaction, which keeps every key, where the
// original had a FIFO window that deletes the oldest ([FIFO] is one field
// away), and RocksDB's own WAL recovery mode, which the original left as it
// was.
//
// Anything RocksDB offers beyond these fields can be set with
// [RocksOptions.Raw].
type RocksOptions struct {
	// Compaction is the compaction style. Default [Level], which keeps
	// everything.
	Compaction Compaction

	// Window is the size of [FIFO] compaction's window, in bytes: once
	// the table files of a column family hold more, the oldest files are
	// deleted. RocksDB calls it max_table_files_size, the original
	// target_table_size. Default 25 MiB under FIFO compaction; opening
	// fails if it is set with another style, which has no window.
	Window int64

	// WALRecovery is how opening replays the write-ahead log, and what it
	// does when part of it is damaged. Default [RecoverPointInTime].
	WALRecovery WALRecovery

	// Logger reports what opening the database discarded (see
	// [WALRecovery]). Default [slog.Default].
	Logger *slog.Logger

	// Compression is the compression of table files. Default [LZ4].
	Compression Compression

	// ErrorIfMissing makes opening fail with [ErrNotDatabase] when there
	// is no database at the path, instead of creating one.
	ErrorIfMissing bool

	// ReadOnly opens the database read-only: writes fail, and several
	// processes may open it at once.
	ReadOnly bool

	// Sync makes every write wait until the operating system has written
	// it to disk (fsync of the write-ahead log), so that it survives a
	// crash of the machine, not only of the process. Writes are much
	// slower with it. Default off: a write survives a crash of the process
	// as soon as it returns.
	Sync bool

	// NoWAL writes without the write-ahead log: a write costs less (about
	// a fifth of a partitioned table's count, measured), and a crash of
	// the process loses the writes not yet flushed to table files, which
	// Flush and Close flush. It suits a store that is a cache of a log
	// kept elsewhere: a partitioned table's shard (package state), which
	// its changelog restores. It cannot be set with Sync.
	NoWAL bool

	// BackgroundJobs is the number of background flush and compaction
	// jobs, and the size of RocksDB's thread pools. Default the number of
	// CPUs.
	BackgroundJobs int

	// LogFileTimeToRoll is how often RocksDB starts a new info log file
	// (LOG). Default 30 minutes.
	LogFileTimeToRoll time.Duration

	// KeepLogFiles is how many info log files RocksDB keeps. Default 1.
	KeepLogFiles int

	// MaxLogFileSize is the size at which RocksDB starts a new info log
	// file. Default 0.1 MiB, or, for a database of more than eight column
	// families, 8 KiB per family and 32 KiB more: room for the options
	// RocksDB writes at the head of each file, twice.
	MaxLogFileSize int64

	// MaxManifestFileSize is the size at which RocksDB starts a new
	// MANIFEST file. Default 1 MiB.
	MaxManifestFileSize int64

	// Level0CompactionTrigger is the number of level-0 files that starts a
	// compaction. Default 4.
	Level0CompactionTrigger int

	// Level0SlowdownWritesTrigger is the number of level-0 files at which
	// writes slow down. Default 6. RocksDB ignores it under FIFO
	// compaction, which never slows writes down for the number of files.
	Level0SlowdownWritesTrigger int

	// Level0StopWritesTrigger is the number of level-0 files at which
	// writes stop. Default 8. RocksDB ignores it under FIFO compaction.
	Level0StopWritesTrigger int

	// MaxWriteBuffers is the number of memtables (write buffers) kept in
	// memory. Default 2.
	MaxWriteBuffers int

	// WriteBufferSize is the size of one memtable: the data written
	// between flushes to a level-0 file. Default 1 MiB.
	WriteBufferSize int64

	// TargetFileSizeBase is the target size of level-1 files, for level
	// compaction. Default 256 MiB.
	TargetFileSizeBase int64

	// MaxBytesForLevelBase is the size of level 1, for level compaction.
	// Default 1024 MiB.
	MaxBytesForLevelBase int64

	// MaxBytesForLevelMultiplier is the size ratio of level n+1 to level
	// n, for level compaction. Default 4.
	MaxBytesForLevelMultiplier float64

	// DeleteObsoleteFilesPeriod is how often obsolete files are deleted.
	// Default 10 ms.
	DeleteObsoleteFilesPeriod time.Duration

	// Raw is a RocksDB options string, such as
	// "max_open_files=256;bytes_per_sync=1048576", applied after every
	// other field, so that it can set any option RocksDB knows (see
	// RocksDB's GetOptionsFromString).
	Raw string
}

// Compaction is a RocksDB compaction style.
type Compaction int

// The compaction styles.
const (
	// Level is leveled compaction, RocksDB's own default and this
	// package's: it keeps everything.
	Level Compaction = iota
	// Universal is universal (tiered) compaction, which keeps everything.
	Universal
	// FIFO keeps the newest RocksOptions.Window bytes of table files
	// and deletes the oldest files beyond that: the data expires by age,
	// whatever the key. The original slipstream Cache's default.
	FIFO
)

// WALRecovery is how RocksDB replays its write-ahead log (WAL) when it
// opens a database, which holds the writes made since the last flush to
// table files. The modes differ in what they do with a damaged log: a bad
// disk, a stray write, a record torn by a machine crash. A process crash
// does not damage it: once a write returns, the log is in the operating
// system's hands. (A machine crash can also lose the writes not yet on
// disk, without [RocksOptions.Sync], and without a trace.)
//
// When recovery discards or skips writes, [OpenRocks] says so at warning
// level on [RocksOptions.Logger], naming the log file and what RocksDB
// dropped. RocksDB 7.8 tells this only in its info log (LOG, in the
// database's directory), which OpenRocks reads back: a Raw setting of
// db_log_dir, or of an info_log_level above WARN_LEVEL, silences the
// report. And RocksDB misses one kind of damage in every mode: a record
// header overwritten with zero bytes reads as padding, and the rest of its
// 32 KiB block is skipped without a word, even under
// [RecoverAbsoluteConsistency].
type WALRecovery int

// The WAL recovery modes, RocksDB's kPointInTimeRecovery,
// kAbsoluteConsistency, kTolerateCorruptedTailRecords and
// kSkipAnyCorruptedRecords.
const (
	// RecoverPointInTime replays the log up to the first damaged record
	// and discards everything after it, acknowledged writes included:
	// the database opens as it was at that point, consistent but missing
	// the newest writes. RocksDB's default, and this package's.
	RecoverPointInTime WALRecovery = iota
	// RecoverAbsoluteConsistency fails opening with an error wrapping
	// [ErrCorrupt] at any damage, so that nothing acknowledged is lost
	// unseen: a program, or a person, decides what to do, such as
	// opening it again with RecoverPointInTime. An incomplete last record
	// that a machine crash leaves in the middle of a write fails it too.
	RecoverAbsoluteConsistency
	// RecoverTolerateCorruptedTail ignores damage in the last record of
	// the log, a write cut short by a crash, and fails opening like
	// RecoverAbsoluteConsistency at any other.
	RecoverTolerateCorruptedTail
	// RecoverSkipAnyCorrupted skips damaged records and replays every
	// other: the most data, but a database that may hold a later write
	// and miss an earlier one. A last resort for salvage.
	RecoverSkipAnyCorrupted
)

// String returns the mode's name, such as "RecoverPointInTime".
func (m WALRecovery) String() string {
	switch m {
	case RecoverPointInTime:
		return "RecoverPointInTime"
	case RecoverAbsoluteConsistency:
		return "RecoverAbsoluteConsistency"
	case RecoverTolerateCorruptedTail:
		return "RecoverTolerateCorruptedTail"
	case RecoverSkipAnyCorrupted:
		return "RecoverSkipAnyCorrupted"
	}
	return "WALRecovery(" + strconv.Itoa(int(m)) + ")"
}

// Compression is a compression algorithm for table files.
type Compression int

// The compression algorithms.
const (
	LZ4           Compression = iota // LZ4, the default
	NoCompression                    // none
	Snappy                           // Snappy
	Zlib                             // zlib
	ZSTD                             // Zstandard
)

// DefaultRocksOptions returns the defaults that every zero field of
// [RocksOptions] takes, filled in.
func DefaultRocksOptions() RocksOptions {
	return RocksOptions{}.withDefaults()
}

// withDefaults returns o with each zero field set to its default.
func (o RocksOptions) withDefaults() RocksOptions {
	def := func(p *int64, v int64) {
		if *p == 0 {
			*p = v
		}
	}
	defInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	defDur := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	if o.Compaction == FIFO {
		def(&o.Window, 25*mib)
	}
	defInt(&o.BackgroundJobs, runtime.NumCPU())
	defDur(&o.LogFileTimeToRoll, 30*time.Minute)
	defInt(&o.KeepLogFiles, 1)
	def(&o.MaxLogFileSize, mib/10)
	def(&o.MaxManifestFileSize, mib)
	defInt(&o.Level0CompactionTrigger, 4)
	defInt(&o.Level0SlowdownWritesTrigger, 6)
	defInt(&o.Level0StopWritesTrigger, 8)
	defInt(&o.MaxWriteBuffers, 2)
	def(&o.WriteBufferSize, mib)
	def(&o.TargetFileSizeBase, 256*mib)
	def(&o.MaxBytesForLevelBase, 1024*mib)
	if o.MaxBytesForLevelMultiplier == 0 {
		o.MaxBytesForLevelMultiplier = 4
	}
	defDur(&o.DeleteObsoleteFilesPeriod, 10*time.Millisecond)
	return o
}
