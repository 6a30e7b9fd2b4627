//go:build cgo

package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// damagedWAL makes a database of families column families besides the
// default one, in a directory of its own, writes keys 0..n-1 to it with
// sync on, closes it (which leaves them in the write-ahead log: with the
// log on, closing does not flush), and flips 64 bytes in the middle of the
// log. It returns the directory and the log's path.
func damagedWAL(t *testing.T, n, families int) (dir, wal string) {
	t.Helper()
	dir = t.TempDir()
	s, err := OpenRocks(dir, &RocksOptions{Sync: true})
	must(t, err)
	for f := range families {
		_, err := s.Family(fmt.Sprintf("family%d", f))
		must(t, err)
	}
	for i := range n {
		must(t, s.Put(walKey(i), []byte("acknowledged")))
	}
	must(t, s.Close())
	logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	must(t, err)
	if len(logs) != 1 {
		t.Fatalf("want one write-ahead log, found %q", logs)
	}
	wal = logs[0]
	b, err := os.ReadFile(wal)
	must(t, err)
	if len(b) < 64<<10 {
		t.Fatalf("the write-ahead log holds %d bytes: the writes were flushed", len(b))
	}
	for i := len(b) / 2; i < len(b)/2+64; i++ {
		b[i] ^= 0xff
	}
	must(t, os.WriteFile(wal, b, 0o644))
	return dir, wal
}

func walKey(i int) []byte { return fmt.Appendf(nil, "key%06d", i) }

// copyDir copies the files of the directory from into a new one.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	must(t, filepath.WalkDir(from, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, e.Name()), b, 0o644)
	}))
	return to
}

// keysKept returns which of the keys 0..n-1 the store holds.
func keysKept(t *testing.T, s Store, n int) []int {
	t.Helper()
	var kept []int
	for i := range n {
		_, ok, err := s.Get(walKey(i))
		must(t, err)
		if ok {
			kept = append(kept, i)
		}
	}
	return kept
}

// TestWALRecovery damages the write-ahead log of a database that holds
// acknowledged writes and opens it under each recovery mode: the default
// opens it without the writes after the damage and says so in a log line,
// the strict modes refuse it with an error naming the log, and skipping
// keeps more and says so too.
func TestWALRecovery(t *testing.T) {
	const n = 2000
	damaged, wal := damagedWAL(t, n, 0)

	open := func(mode WALRecovery) (Store, string, error) {
		dir := copyDir(t, damaged)
		var log bytes.Buffer
		s, err := OpenRocks(dir, &RocksOptions{WALRecovery: mode, Logger: slog.New(slog.NewTextHandler(&log, nil))})
		if err == nil {
			t.Cleanup(func() { s.Close() })
		}
		return s, log.String(), err
	}

	t.Run("PointInTime", func(t *testing.T) {
		s, log, err := open(RecoverPointInTime)
		must(t, err)
		kept := keysKept(t, s, n)
		if len(kept) == 0 || len(kept) == n || kept[len(kept)-1] != len(kept)-1 {
			t.Fatalf("kept %d of %d keys, want the first ones up to the damage", len(kept), n)
		}
		walName := filepath.Base(wal)
		for _, want := range []string{"level=WARN", "recovered the database to the point before the damage", walName, "dropping", fmt.Sprintf("lost_from_sequence=%d", len(kept)+1)} {
			if !strings.Contains(log, want) {
				t.Errorf("the log lacks %q:\n%s", want, log)
			}
		}
		t.Logf("kept %d of %d keys; logged: %s", len(kept), n, log)
	})

	for _, mode := range []WALRecovery{RecoverAbsoluteConsistency, RecoverTolerateCorruptedTail} {
		t.Run(strings.TrimPrefix(mode.String(), "Recover"), func(t *testing.T) {
			_, log, err := open(mode)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("open = %v, want ErrCorrupt", err)
			}
			for _, want := range []string{filepath.Base(wal), "dropping", mode.String(), "RecoverPointInTime"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q: %v", want, err)
				}
			}
			if log != "" {
				t.Errorf("logged as well: %s", log)
			}
			t.Log(err)
		})
	}

	t.Run("SkipAnyCorrupted", func(t *testing.T) {
		s, log, err := open(RecoverSkipAnyCorrupted)
		must(t, err)
		kept := keysKept(t, s, n)
		if len(kept) == n || !slices.Contains(kept, n-1) {
			t.Errorf("kept %d of %d keys, the last one %v: want all but the damaged ones", len(kept), n, slices.Contains(kept, n-1))
		}
		if !strings.Contains(log, "skipped the damaged records") || !strings.Contains(log, "dropping") {
			t.Errorf("the log does not say what was skipped:\n%s", log)
		}
	})
}

// TestWALRecoveryManyFamilies: the options of 30 column families fill
// more than the default 0.1 MiB info log, which RocksDB would start anew,
// lines of recovery gone, while it opens; the report is still made.
func TestWALRecoveryManyFamilies(t *testing.T) {
	damaged, wal := damagedWAL(t, 2000, 30)
	var log bytes.Buffer
	s := openRocks(t, damaged, &RocksOptions{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if !strings.Contains(log.String(), filepath.Base(wal)) {
		t.Errorf("the log does not name %s: %q", wal, log.String())
	}
	if kept := keysKept(t, s, 2000); len(kept) == 2000 {
		t.Error("every key is there: the damage did not reach them")
	}
	want := strconv.FormatInt(infoLogRoom(31), 10)
	checkOptions(t, rocksOptionsFile(t, damaged), map[string]string{"db/max_log_file_size": want})
}

// TestWALZeroedHeader pins down a gap of RocksDB 7.8, which the package
// docs describe: it takes a record header of zero bytes for padding, and
// skips the rest of its 32 KiB block without a word, in every mode. If
// this test fails, RocksDB has closed the gap: say so in the docs.
func TestWALZeroedHeader(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	s, err := OpenRocks(dir, nil)
	must(t, err)
	for i := range n {
		must(t, s.Put(walKey(i), []byte("acknowledged")))
	}
	must(t, s.Close())
	wal, err := filepath.Glob(filepath.Join(dir, "*.log"))
	must(t, err)
	b, err := os.ReadFile(wal[0])
	must(t, err)
	record := 7 + int(b[4]) | int(b[5])<<8 // every record has the same length
	at := 300 * record                     // the header of record 300, in the first block
	copy(b[at:], make([]byte, 64))
	must(t, os.WriteFile(wal[0], b, 0o644))

	var log bytes.Buffer
	s = openRocks(t, dir, &RocksOptions{WALRecovery: RecoverAbsoluteConsistency, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	kept := keysKept(t, s, n)
	if len(kept) == n || !slices.Contains(kept, n-1) || log.Len() != 0 {
		t.Errorf("kept %d of %d keys, the last %v; logged %q: want a silent hole", len(kept), n, slices.Contains(kept, n-1), log.String())
	}
}

// TestWALRecoveryQuiet: reopening a database closed cleanly, or one whose
// recovery was reported already, logs nothing.
func TestWALRecoveryQuiet(t *testing.T) {
	damaged, _ := damagedWAL(t, 2000, 0)
	for _, dir := range []string{damaged, t.TempDir()} {
		for round := range 2 {
			var log bytes.Buffer
			s, err := OpenRocks(dir, &RocksOptions{Logger: slog.New(slog.NewTextHandler(&log, nil))})
			must(t, err)
			must(t, s.Put([]byte("k"), []byte("v")))
			must(t, s.Close())
			if got := log.String(); (got != "") != (dir == damaged && round == 0) {
				t.Errorf("open %d of %s logged %q", round, dir, got)
			}
		}
	}
}

func TestWALRecoveryString(t *testing.T) {
	if got := RecoverSkipAnyCorrupted.String(); got != "RecoverSkipAnyCorrupted" {
		t.Errorf("String = %q", got)
	}
	if got := WALRecovery(9).String(); got != "WALRecovery(9)" {
		t.Errorf("String = %q", got)
	}
	if _, err := (RocksOptions{WALRecovery: 9}).Grocksdb(); err == nil || !strings.Contains(err.Error(), "WAL recovery mode 9") {
		t.Errorf("an unknown mode: err = %v", err)
	}
}
