package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDefaultRocksOptions(t *testing.T) {
	want := RocksOptions{
		Compaction:                  Level,
		Compression:                 LZ4,
		BackgroundJobs:              runtime.NumCPU(),
		LogFileTimeToRoll:           30 * time.Minute,
		KeepLogFiles:                1,
		MaxLogFileSize:              mib / 10,
		MaxManifestFileSize:         mib,
		Level0CompactionTrigger:     4,
		Level0SlowdownWritesTrigger: 6,
		Level0StopWritesTrigger:     8,
		MaxWriteBuffers:             2,
		WriteBufferSize:             mib,
		TargetFileSizeBase:          256 * mib,
		MaxBytesForLevelBase:        1024 * mib,
		MaxBytesForLevelMultiplier:  4,
		DeleteObsoleteFilesPeriod:   10 * time.Millisecond,
	}
	if got := DefaultRocksOptions(); got != want {
		t.Errorf("DefaultRocksOptions() =\n%+v\nwant\n%+v", got, want)
	}
	custom := RocksOptions{Compaction: FIFO, Window: 10_000, Sync: true}.withDefaults()
	if custom.Window != 10_000 || !custom.Sync || custom.WriteBufferSize != mib {
		t.Errorf("a set field was overridden, or a zero one not defaulted: %+v", custom)
	}
	if fifo := (RocksOptions{Compaction: FIFO}).withDefaults(); fifo.Window != 25*mib {
		t.Errorf("FIFO's default window = %d, want 25 MiB", fifo.Window)
	}
}

// rocksOptionsFile returns the options RocksDB wrote to the newest OPTIONS
// file of the database at dir, as "section/key" → value, sections being
// "db" and "cf:<family>".
func rocksOptionsFile(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "OPTIONS-*"))
	must(t, err)
	if len(files) == 0 {
		t.Fatalf("no OPTIONS file in %s", dir)
	}
	newest := slices.MaxFunc(files, func(a, b string) int {
		na, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(a), "OPTIONS-"))
		nb, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(b), "OPTIONS-"))
		return na - nb
	})
	text, err := os.ReadFile(newest)
	must(t, err)
	opts := map[string]string{}
	section := ""
	for line := range strings.Lines(string(text)) {
		line = strings.TrimSpace(line)
		switch {
		case line == "[DBOptions]":
			section = "db"
		case strings.HasPrefix(line, "[CFOptions "):
			section = "cf:" + strings.Trim(strings.TrimPrefix(line, "[CFOptions "), `"]`)
		case strings.HasPrefix(line, "[TableOptions"):
			section = "table"
		case strings.Contains(line, "=") && section != "":
			k, v, _ := strings.Cut(line, "=")
			opts[section+"/"+k] = v
		}
	}
	return opts
}

func checkOptions(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestRocksGetsTheDefaults(t *testing.T) {
	dir := t.TempDir()
	s := openRocks(t, dir, nil)
	_, err := s.Family("other")
	must(t, err)
	got := rocksOptionsFile(t, dir)
	checkOptions(t, got, map[string]string{
		"db/create_if_missing":                   "true",
		"db/max_background_jobs":                 strconv.Itoa(runtime.NumCPU()),
		"db/log_file_time_to_roll":               "1800",
		"db/keep_log_file_num":                   "1",
		"db/max_log_file_size":                   strconv.Itoa(mib / 10),
		"db/max_manifest_file_size":              strconv.Itoa(mib),
		"db/delete_obsolete_files_period_micros": "10000",
		"db/wal_recovery_mode":                   "kPointInTimeRecovery",
	})
	for _, fam := range []string{"default", "other"} {
		checkOptions(t, got, map[string]string{
			"cf:" + fam + "/compaction_style":                   "kCompactionStyleLevel",
			"cf:" + fam + "/compression":                        "kLZ4Compression",
			"cf:" + fam + "/level0_file_num_compaction_trigger": "4",
			"cf:" + fam + "/level0_slowdown_writes_trigger":     "6",
			"cf:" + fam + "/level0_stop_writes_trigger":         "8",
			"cf:" + fam + "/max_write_buffer_number":            "2",
			"cf:" + fam + "/write_buffer_size":                  strconv.Itoa(mib),
			"cf:" + fam + "/target_file_size_base":              strconv.Itoa(256 * mib),
			"cf:" + fam + "/max_bytes_for_level_base":           strconv.Itoa(1024 * mib),
			"cf:" + fam + "/max_bytes_for_level_multiplier":     "4.000000",
		})
	}
}

// FIFO compaction, the original's, gets its 25 MiB window by default; a
// window with any other style is refused, which would keep everything
// instead.
func TestRocksFIFO(t *testing.T) {
	dir := t.TempDir()
	openRocks(t, dir, &RocksOptions{Compaction: FIFO})
	checkOptions(t, rocksOptionsFile(t, dir), map[string]string{
		"cf:default/compaction_style":        "kCompactionStyleFIFO",
		"cf:default/compaction_options_fifo": "{allow_compaction=false;age_for_warm=0;max_table_files_size=26214400;}",
	})
	for _, c := range []Compaction{Level, Universal} {
		_, err := OpenRocks(t.TempDir(), &RocksOptions{Compaction: c, Window: 5 * mib})
		if err == nil || !strings.Contains(err.Error(), "needs FIFO compaction") {
			t.Errorf("a Window with compaction style %d: err = %v, want one saying it needs FIFO", c, err)
		}
	}
}

func TestRocksOptionsOverride(t *testing.T) {
	dir := t.TempDir()
	openRocks(t, dir, &RocksOptions{
		Compaction:        Universal,
		Compression:       ZSTD,
		WALRecovery:       RecoverAbsoluteConsistency,
		WriteBufferSize:   4 * mib,
		KeepLogFiles:      3,
		LogFileTimeToRoll: time.Hour,
		Raw:               "max_open_files=123;level0_stop_writes_trigger=20",
	})
	checkOptions(t, rocksOptionsFile(t, dir), map[string]string{
		"db/max_open_files":                         "123",
		"db/keep_log_file_num":                      "3",
		"db/log_file_time_to_roll":                  "3600",
		"db/wal_recovery_mode":                      "kAbsoluteConsistency",
		"cf:default/compaction_style":               "kCompactionStyleUniversal",
		"cf:default/compression":                    "kZSTD",
		"cf:default/write_buffer_size":              strconv.Itoa(4 * mib),
		"cf:default/level0_stop_writes_trigger":     "20",
		"cf:default/level0_slowdown_writes_trigger": "6",
	})
	if _, err := OpenRocks(t.TempDir(), &RocksOptions{Raw: "no_such_option=1"}); err == nil || !strings.Contains(err.Error(), "no_such_option") {
		t.Errorf("opening with a bad options string: %v", err)
	}
}

func TestReadOnlyAndErrorIfMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenRocks(filepath.Join(dir, "none"), &RocksOptions{ErrorIfMissing: true}); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("ErrorIfMissing on a missing directory: %v, want ErrNotDatabase", err)
	}
	if _, err := OpenRocks(dir, &RocksOptions{ErrorIfMissing: true}); !errors.Is(err, ErrNotDatabase) {
		t.Errorf("ErrorIfMissing on an empty directory: %v, want ErrNotDatabase", err)
	}
	s, err := OpenRocks(dir, nil)
	must(t, err)
	must(t, s.Put([]byte("a"), []byte("1")))
	must(t, s.Close())
	ro := openRocks(t, dir, &RocksOptions{ReadOnly: true})
	if v, ok, err := ro.Get([]byte("a")); err != nil || !ok || string(v) != "1" {
		t.Errorf("read-only Get = %q, %v, %v", v, ok, err)
	}
	if err := ro.Put([]byte("b"), []byte("2")); err == nil {
		t.Error("Put on a read-only database succeeded")
	}
}

func TestSyncOption(t *testing.T) {
	for _, sync := range []bool{false, true} {
		s := openRocks(t, t.TempDir(), &RocksOptions{Sync: sync})
		if got := s.(*rocksFamily).d.wo.IsSync(); got != sync {
			t.Errorf("Sync %v reached RocksDB's write options as %v", sync, got)
		}
	}
}

func TestGrocksdbOptions(t *testing.T) {
	r, err := RocksOptions{}.Grocksdb()
	if err != nil {
		t.Fatal(err)
	}
	r.Destroy()
	if _, err := (RocksOptions{Compression: Compression(99)}).Grocksdb(); err == nil || !strings.Contains(err.Error(), "compression 99") {
		t.Errorf("unknown compression: err = %v, want one naming it", err)
	}
}

// TestNoWAL: without the write-ahead log, writes leave the log empty and
// survive Close, which flushes them; with Sync too, opening fails.
func TestNoWAL(t *testing.T) {
	logBytes := func(dir string) int64 {
		var n int64
		logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		for _, l := range logs {
			if fi, err := os.Stat(l); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	for _, noWAL := range []bool{false, true} {
		dir := t.TempDir()
		s, err := OpenRocks(dir, &RocksOptions{NoWAL: noWAL})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put([]byte("k"), []byte("v")); err != nil {
			t.Fatal(err)
		}
		if logged := logBytes(dir); (logged == 0) != noWAL {
			t.Errorf("NoWAL %v: the write-ahead log holds %d bytes after a write", noWAL, logged)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = openRocks(t, dir, &RocksOptions{NoWAL: noWAL})
		if v, ok, err := s.Get([]byte("k")); err != nil || !ok || string(v) != "v" {
			t.Errorf("NoWAL %v: after Close and reopening, Get = %q, %v, %v", noWAL, v, ok, err)
		}
	}
	if _, err := OpenRocks(t.TempDir(), &RocksOptions{NoWAL: true, Sync: true}); err == nil || !strings.Contains(err.Error(), "NoWAL") {
		t.Errorf("NoWAL with Sync: %v; want an error naming both", err)
	}
}
