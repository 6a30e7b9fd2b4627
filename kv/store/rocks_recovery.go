//go:build cgo

package store

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// RocksDB 7.8 has no API that tells what replaying the write-ahead log
// dropped: no status, statistic or callback, and its C API cannot hand it a
// logger of ours. It writes it to its info log (LOG), which it starts anew
// at each open, as lines such as
//
//	... [WARN] [db/db_impl/db_impl_open.cc:982] /db/000004.log: dropping 29128 bytes; Corruption: checksum mismatch
//	... [db/db_impl/db_impl_open.cc:1237] Point in time recovered to log #4 seq #2514
//
// (the first with "(ignoring error) " before the file name under
// kSkipAnyCorruptedRecords), which walDamage reads back.
var (
	dropLine  = regexp.MustCompile(`\] (?:\(ignoring error\) )?(\S+\.log): (dropping \d+ bytes; .*)$`)
	pointLine = regexp.MustCompile(`\] Point in time recovered to log #(\d+) seq #(\d+)`)
)

// A walDamage is what RocksDB's info log says the latest open of a
// database dropped from its write-ahead log.
type walDamage struct {
	drops []string // "/db/000004.log: dropping 29128 bytes; Corruption: checksum mismatch"

	// Under kPointInTimeRecovery, where replay stopped: the log's file
	// and the sequence number of the first write not replayed; stoppedIn
	// is "" if it did not stop.
	stoppedIn string
	lostFrom  uint64
}

// readWALDamage reads the info log of the database at path. A missing or
// unreadable log reads as no damage: the report is a courtesy on top of
// what RocksDB does, never a reason to fail.
func readWALDamage(path string) walDamage {
	var w walDamage
	f, err := os.Open(filepath.Join(path, "LOG"))
	if err != nil {
		return w
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		line := lines.Text()
		if m := dropLine.FindStringSubmatch(line); m != nil {
			w.drops = append(w.drops, m[1]+": "+m[2])
		} else if m := pointLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseUint(m[1], 10, 64)
			w.stoppedIn = filepath.Join(path, fmt.Sprintf("%06d.log", n))
			w.lostFrom, _ = strconv.ParseUint(m[2], 10, 64)
		}
	}
	return w
}

func (w walDamage) empty() bool { return len(w.drops) == 0 && w.stoppedIn == "" }

// report logs what recovery discarded, if anything, on o's logger.
func (w walDamage) report(path string, o RocksOptions) {
	if w.empty() {
		return
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	attrs := []any{slog.String("path", path), slog.String("recovery", o.WALRecovery.String()), slog.Any("rocksdb", w.drops)}
	if w.stoppedIn != "" {
		logger.Warn("kv: the write-ahead log is damaged: RocksDB recovered the database to the point before the damage, and the writes logged after it are gone",
			append(attrs, slog.String("log", w.stoppedIn), slog.Uint64("lost_from_sequence", w.lostFrom))...)
		return
	}
	logger.Warn("kv: the write-ahead log is damaged: RocksDB skipped the damaged records", attrs...)
}

// corruptError explains RocksDB's refusal to open the database at path,
// whose damage w describes, under the recovery mode of o.
func corruptError(path string, err error, w walDamage, o RocksOptions) error {
	if len(w.drops) == 0 {
		return fmt.Errorf("kv: open RocksDB at %s: %w (RocksDB: %v)", path, ErrCorrupt, err)
	}
	return fmt.Errorf("kv: open RocksDB at %s: %w: its write-ahead log %s; %v refuses to open it, RecoverPointInTime would, without the writes logged from the damage on",
		path, ErrCorrupt, strings.Join(w.drops, ", "), o.WALRecovery)
}
