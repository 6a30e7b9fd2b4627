//go:build cgo

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/linxGnu/grocksdb"
)

// OpenRocks opens the RocksDB database in the directory path, creating the
// directory and the database if they do not exist (unless
// [RocksOptions.ErrorIfMissing] is set), and returns its default column family.
// Its other column families are opened with it; see [Store.Family]. A nil
// opts means the defaults of [RocksOptions].
//
// Opening fails with an error that wraps [ErrLocked] if the database is
// open in another process, or elsewhere in this one, with one that wraps
// [ErrNotDatabase] if path is a file, and with one that wraps [ErrCorrupt]
// if its files are damaged beyond what [RocksOptions.WALRecovery] repairs.
// All name the path. Writes that recovery discards are reported on
// [RocksOptions.Logger].
//
// The RocksDB backend needs cgo and the RocksDB C library: on Debian and
// Ubuntu, the package librocksdb-dev (RocksDB 7.8).
func OpenRocks(path string, opts *RocksOptions) (Store, error) {
	var o RocksOptions
	if opts != nil {
		o = *opts
	}
	o = o.withDefaults()
	if err := checkPath(path, o); err != nil {
		return nil, err
	}
	names, err := familyNames(path)
	if err != nil {
		return nil, err
	}
	if opts == nil || opts.MaxLogFileSize == 0 {
		o.MaxLogFileSize = max(o.MaxLogFileSize, infoLogRoom(len(names)))
	}
	ro, err := rocksOptions(o)
	if err != nil {
		return nil, fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
	}
	famOpts := make([]*grocksdb.Options, len(names))
	for i := range famOpts {
		famOpts[i] = ro
	}
	var (
		db      *grocksdb.DB
		handles []*grocksdb.ColumnFamilyHandle
	)
	if o.ReadOnly {
		db, handles, err = grocksdb.OpenDbForReadOnlyColumnFamilies(ro, path, names, famOpts, false)
	} else {
		db, handles, err = grocksdb.OpenDbColumnFamilies(ro, path, names, famOpts)
	}
	if err != nil {
		ro.Destroy()
		if strings.HasPrefix(err.Error(), "Corruption:") {
			return nil, corruptError(path, err, readWALDamage(path), o)
		}
		return nil, openError(path, err)
	}
	readWALDamage(path).report(path, o)
	d := &rocksDB{
		path: path,
		db:   db,
		opts: ro,
		ro:   grocksdb.NewDefaultReadOptions(),
		wo:   grocksdb.NewDefaultWriteOptions(),
		fams: map[string]*rocksFamily{},
		live: map[rocksResource]struct{}{},
	}
	d.wo.SetSync(o.Sync)
	d.wo.DisableWAL(o.NoWAL)
	for i, name := range names {
		d.fams[name] = &rocksFamily{d: d, name: name, h: handles[i]}
	}
	return d.fams[DefaultFamily], nil
}

// familyNames returns the names of the column families of the database at
// path, or of the one a new database starts with.
func familyNames(path string) ([]string, error) {
	if !fileExists(filepath.Join(path, "CURRENT")) {
		return []string{DefaultFamily}, nil
	}
	lo := grocksdb.NewDefaultOptions()
	defer lo.Destroy()
	names, err := grocksdb.ListColumnFamilies(lo, path)
	if err != nil {
		return nil, openError(path, err)
	}
	return names, nil
}

// infoLogRoom is the smallest info log that suits a database of n column
// families. RocksDB writes the options of each family, about 3 KiB, at the
// head of its info log, and again at the head of each new one once the log
// has outgrown its size: an info log smaller than twice that would start
// anew at almost every line, and would lose the lines of WAL recovery that
// OpenRocks reads back (see walDamage) before it reads them.
func infoLogRoom(n int) int64 { return 2 * (16<<10 + 4<<10*int64(n)) }

// RepairRocks tries to recover as much data as possible from the damaged
// RocksDB database at path. The database must not be open. A nil opts means
// the defaults of [RocksOptions].
func RepairRocks(path string, opts *RocksOptions) error {
	var o RocksOptions
	if opts != nil {
		o = *opts
	}
	ro, err := rocksOptions(o.withDefaults())
	if err != nil {
		return fmt.Errorf("kv: repair RocksDB at %s: %w", path, err)
	}
	defer ro.Destroy()
	if err := grocksdb.RepairDb(path, ro); err != nil {
		return fmt.Errorf("kv: repair RocksDB at %s: %w", path, err)
	}
	return nil
}

// checkPath gives clear errors for the paths RocksDB itself would reject
// with obscure ones, and makes the directory if it may.
func checkPath(path string, o RocksOptions) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("kv: open RocksDB at %s: %w: it is a file, not a directory", path, ErrNotDatabase)
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		if o.ErrorIfMissing || o.ReadOnly {
			return fmt.Errorf("kv: open RocksDB at %s: %w: no such directory", path, ErrNotDatabase)
		}
		if err := os.MkdirAll(path, 0o755); err != nil {
			return fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
		}
		return nil
	default:
		return fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
	}
	if (o.ErrorIfMissing || o.ReadOnly) && !fileExists(filepath.Join(path, "CURRENT")) {
		return fmt.Errorf("kv: open RocksDB at %s: %w: the directory holds no RocksDB database", path, ErrNotDatabase)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// openError explains an error of RocksDB's open.
func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "lock") || strings.Contains(msg, "LOCK") {
		return fmt.Errorf("kv: open RocksDB at %s: %w (RocksDB: %v)", path, ErrLocked, err)
	}
	return fmt.Errorf("kv: open RocksDB at %s: %w", path, err)
}
