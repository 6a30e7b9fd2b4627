//go:build cgo

package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/linxGnu/grocksdb"
)

// Grocksdb returns the grocksdb options that [OpenRocks] gives a database
// for o, its zero fields set to their defaults: for a program that opens
// such a database with grocksdb itself, as the benchmarks that compare the
// two do. The caller owns the options and must Destroy them.
func (o RocksOptions) Grocksdb() (*grocksdb.Options, error) {
	r, err := rocksOptions(o.withDefaults())
	if err != nil {
		return nil, fmt.Errorf("kv: %w", err)
	}
	return r, nil
}

// rocksOptions translates o, with its defaults filled in, to RocksDB's.
func rocksOptions(o RocksOptions) (*grocksdb.Options, error) {
	r := grocksdb.NewDefaultOptions()
	r.SetCreateIfMissing(!o.ErrorIfMissing)
	r.IncreaseParallelism(o.BackgroundJobs)
	r.SetMaxBackgroundJobs(o.BackgroundJobs)
	r.SetLogFileTimeToRoll(uint64(o.LogFileTimeToRoll / time.Second))
	r.SetKeepLogFileNum(uint(o.KeepLogFiles))
	r.SetMaxLogFileSize(uint64(o.MaxLogFileSize))
	r.SetMaxManifestFileSize(uint64(o.MaxManifestFileSize))
	switch o.Compaction {
	case Level:
		r.SetCompactionStyle(grocksdb.LevelCompactionStyle)
	case Universal:
		r.SetCompactionStyle(grocksdb.UniversalCompactionStyle)
	case FIFO:
		r.SetCompactionStyle(grocksdb.FIFOCompactionStyle)
		fifo := grocksdb.NewDefaultFIFOCompactionOptions()
		fifo.SetMaxTableFilesSize(uint64(o.Window))
		r.SetFIFOCompactionOptions(fifo) // takes fifo over
	default:
		r.Destroy()
		return nil, fmt.Errorf("unknown compaction style %d", o.Compaction)
	}
	if o.NoWAL && o.Sync {
		r.Destroy()
		return nil, errors.New("Sync and NoWAL are both set: Sync waits for the write-ahead log that NoWAL skips")
	}
	if o.Window != 0 && o.Compaction != FIFO {
		// Someone who sets a window expects old data to go; keeping it
		// instead would fill the disk just as silently.
		r.Destroy()
		return nil, fmt.Errorf("a Window of %d bytes needs FIFO compaction, the only style that deletes old data; set Compaction to FIFO too, or leave Window zero", o.Window)
	}
	switch o.WALRecovery {
	case RecoverPointInTime:
		r.SetWALRecoveryMode(grocksdb.PointInTimeRecovery)
	case RecoverAbsoluteConsistency:
		r.SetWALRecoveryMode(grocksdb.AbsoluteConsistencyRecovery)
	case RecoverTolerateCorruptedTail:
		r.SetWALRecoveryMode(grocksdb.TolerateCorruptedTailRecordsRecovery)
	case RecoverSkipAnyCorrupted:
		r.SetWALRecoveryMode(grocksdb.SkipAnyCorruptedRecordsRecovery)
	default:
		r.Destroy()
		return nil, fmt.Errorf("unknown WAL recovery mode %d", o.WALRecovery)
	}
	r.SetLevel0FileNumCompactionTrigger(o.Level0CompactionTrigger)
	r.SetLevel0SlowdownWritesTrigger(o.Level0SlowdownWritesTrigger)
	r.SetLevel0StopWritesTrigger(o.Level0StopWritesTrigger)
	r.SetMaxWriteBufferNumber(o.MaxWriteBuffers)
	r.SetWriteBufferSize(uint64(o.WriteBufferSize))
	r.SetTargetFileSizeBase(uint64(o.TargetFileSizeBase))
	r.SetMaxBytesForLevelBase(uint64(o.MaxBytesForLevelBase))
	r.SetMaxBytesForLevelMultiplier(o.MaxBytesForLevelMultiplier)
	switch o.Compression {
	case LZ4:
		r.SetCompression(grocksdb.LZ4Compression)
	case NoCompression:
		r.SetCompression(grocksdb.NoCompression)
	case Snappy:
		r.SetCompression(grocksdb.SnappyCompression)
	case Zlib:
		r.SetCompression(grocksdb.ZLibCompression)
	case ZSTD:
		r.SetCompression(grocksdb.ZSTDCompression)
	default:
		r.Destroy()
		return nil, fmt.Errorf("unknown compression %d", o.Compression)
	}
	r.SetDeleteObsoleteFilesPeriodMicros(uint64(o.DeleteObsoleteFilesPeriod / time.Microsecond))
	if o.Raw != "" {
		n, err := grocksdb.GetOptionsFromString(r, o.Raw)
		r.Destroy()
		if err != nil {
			return nil, fmt.Errorf("options string %q: %w", o.Raw, err)
		}
		r = n
	}
	return r, nil
}
