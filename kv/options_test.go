package kv

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
)

func TestDefaultOptions(t *testing.T) {
	want := Options{
		TargetTableSize:             25 * MiB,
		Compaction:                  FIFO,
		Compression:                 LZ4,
		BackgroundJobs:              runtime.NumCPU(),
		LogFileTimeToRoll:           30 * time.Minute,
		KeepLogFiles:                1,
		MaxLogFileSize:              MiB / 10,
		MaxManifestFileSize:         MiB,
		Level0CompactionTrigger:     4,
		Level0SlowdownWritesTrigger: 6,
		Level0StopWritesTrigger:     8,
		MaxWriteBuffers:             2,
		WriteBufferSize:             MiB,
		TargetFileSizeBase:          256 * MiB,
		MaxBytesForLevelBase:        1024 * MiB,
		MaxBytesForLevelMultiplier:  4,
		DeleteObsoleteFilesPeriod:   10 * time.Millisecond,
	}
	if got := DefaultOptions(); got != want {
		t.Errorf("DefaultOptions() =\n%+v\nwant\n%+v", got, want)
	}
	custom := Options{TargetTableSize: 10_000, Sync: true}.withDefaults()
	if custom.TargetTableSize != 10_000 || !custom.Sync || custom.WriteBufferSize != MiB {
		t.Errorf("a set field was overridden, or a zero one not defaulted: %+v", custom)
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
		"db/max_log_file_size":                   strconv.Itoa(MiB / 10),
		"db/max_manifest_file_size":              strconv.Itoa(MiB),
		"db/delete_obsolete_files_period_micros": "10000",
	})
	for _, fam := range []string{"default", "other"} {
		checkOptions(t, got, map[string]string{
			"cf:" + fam + "/compaction_style":                   "kCompactionStyleFIFO",
			"cf:" + fam + "/compaction_options_fifo":            "{allow_compaction=false;age_for_warm=0;max_table_files_size=26214400;}",
			"cf:" + fam + "/compression":                        "kLZ4Compression",
			"cf:" + fam + "/level0_file_num_compaction_trigger": "4",
			"cf:" + fam + "/max_write_buffer_number":            "2",
			"cf:" + fam + "/write_buffer_size":                  strconv.Itoa(MiB),
			"cf:" + fam + "/target_file_size_base":              strconv.Itoa(256 * MiB),
			"cf:" + fam + "/max_bytes_for_level_base":           strconv.Itoa(1024 * MiB),
			"cf:" + fam + "/max_bytes_for_level_multiplier":     "4.000000",
		})
	}
}

// RocksDB ignores the level-0 slowdown and stop triggers under FIFO
// compaction (it never stalls writes on the number of files then): check
// them under level compaction.
func TestRocksLevel0Triggers(t *testing.T) {
	dir := t.TempDir()
	openRocks(t, dir, &Options{Compaction: Level})
	checkOptions(t, rocksOptionsFile(t, dir), map[string]string{
		"cf:default/level0_file_num_compaction_trigger": "4",
		"cf:default/level0_slowdown_writes_trigger":     "6",
		"cf:default/level0_stop_writes_trigger":         "8",
	})
}

func TestRocksOptionsOverride(t *testing.T) {
	dir := t.TempDir()
	openRocks(t, dir, &Options{
		TargetTableSize:   5 * MiB,
		Compaction:        Level,
		Compression:       ZSTD,
		WriteBufferSize:   4 * MiB,
		KeepLogFiles:      3,
		LogFileTimeToRoll: time.Hour,
		Raw:               "max_open_files=123;level0_stop_writes_trigger=20",
	})
	checkOptions(t, rocksOptionsFile(t, dir), map[string]string{
		"db/max_open_files":                         "123",
		"db/keep_log_file_num":                      "3",
		"db/log_file_time_to_roll":                  "3600",
		"cf:default/compaction_style":               "kCompactionStyleLevel",
		"cf:default/compaction_options_fifo":        "{allow_compaction=false;age_for_warm=0;max_table_files_size=5242880;}",
		"cf:default/compression":                    "kZSTD",
		"cf:default/write_buffer_size":              strconv.Itoa(4 * MiB),
		"cf:default/level0_stop_writes_trigger":     "20",
		"cf:default/level0_slowdown_writes_trigger": "6",
	})
	if _, err := OpenRocks(t.TempDir(), &Options{Raw: "no_such_option=1"}); err == nil || !strings.Contains(err.Error(), "no_such_option") {
		t.Errorf("opening with a bad options string: %v", err)
	}
}

func TestReadOnlyAndErrorIfMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenRocks(filepath.Join(dir, "none"), &Options{ErrorIfMissing: true}); err == nil {
		t.Error("ErrorIfMissing opened a missing database")
	}
	if _, err := OpenRocks(dir, &Options{ErrorIfMissing: true}); err == nil {
		t.Error("ErrorIfMissing opened an empty directory")
	}
	c, err := Open(dir, codec.StringKey(), codec.String(), nil)
	must(t, err)
	must(t, c.Set("a", "1"))
	must(t, c.Close())
	ro, err := Open(dir, codec.StringKey(), codec.String(), &Options{ReadOnly: true})
	must(t, err)
	defer ro.Close()
	if got, _ := ro.Get("a"); got != mo.Some("1") {
		t.Errorf("read-only Get = %v", got)
	}
	if err := ro.Set("b", "2"); err == nil {
		t.Error("Set on a read-only database succeeded")
	}
}

// TestFIFOWindow writes far more than a small FIFO window and checks that
// the oldest data is gone, the newest is there, and the files on disk stay
// within the window.
func TestFIFOWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 24 MiB")
	}
	const (
		window    = 2 * MiB
		written   = 24 * MiB
		valueSize = 4096
	)
	dir := t.TempDir()
	c, err := Open(dir, codec.Int[int](), codec.Bytes(), &Options{TargetTableSize: window})
	must(t, err)
	defer c.Close()
	n := written / valueSize
	value := make([]byte, valueSize)
	for i := range n {
		rand.Read(value) // incompressible, so that LZ4 does not shrink it
		must(t, c.Set(i, value))
	}
	must(t, c.Flush())
	must(t, c.Compact())
	waitForCompactions(t, c.Store())

	if ok, _ := c.Has(0); ok {
		t.Error("the oldest key is still there")
	}
	for i := n - 100; i < n; i++ {
		if ok, err := c.Has(i); err != nil || !ok {
			t.Fatalf("key %d of the newest is missing (%v)", i, err)
		}
	}
	first, err := c.Iter().First()
	must(t, err)
	oldest := first.MustGet().Key
	kept := n - oldest
	if kept*valueSize > window+MiB || kept*valueSize < window/4 {
		t.Errorf("kept keys %d..%d (%d KiB of values), want about the %d KiB window", oldest, n-1, kept*valueSize>>10, window>>10)
	}

	live, _ := c.Store().Property("rocksdb.live-sst-files-size")
	if n, err := strconv.ParseInt(live, 10, 64); err != nil || n > window {
		t.Errorf("live table files hold %s bytes, more than the %d KiB window", live, window>>10)
	}

	// Closing purges the files compaction made obsolete; what is left on
	// disk is the table files of the window and little else.
	must(t, c.Close())
	var sst, total int64
	entries, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range entries {
		fi, err := e.Info()
		must(t, err)
		total += fi.Size()
		if filepath.Ext(e.Name()) == ".sst" {
			sst += fi.Size()
		}
	}
	if sst > window {
		t.Errorf("table files take %d KiB on disk, more than the %d KiB window", sst>>10, window>>10)
	}
	// Beside the table files: the write-ahead log (at most the write
	// buffers' worth), the info log, the manifest, the options.
	if limit := int64(window + 4*MiB); total > limit {
		t.Errorf("the database takes %d KiB on disk after writing %d KiB, want at most %d KiB", total>>10, written>>10, limit>>10)
	}
	t.Logf("wrote %d KiB; kept keys %d..%d; %d KiB of table files, %d KiB in all", written>>10, oldest, n-1, sst>>10, total>>10)
}

// waitForCompactions waits until the store runs and awaits no compaction:
// a manual compaction returns while one that RocksDB scheduled itself after
// a flush (FIFO's dropping of the oldest files) may still be running, its
// files still live. (RocksDB 7.8 has no call that waits for them.)
func waitForCompactions(t *testing.T, s Store) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		running, _ := s.Property("rocksdb.num-running-compactions")
		pending, _ := s.Property("rocksdb.compaction-pending")
		if running == "0" && pending == "0" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("compactions still running (%s) or pending (%s) after 30 s", running, pending)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRocksOptions(t *testing.T) {
	r, err := RocksOptions(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Destroy()
	if _, err := RocksOptions(Options{Compression: Compression(99)}); err == nil || !strings.Contains(err.Error(), "compression 99") {
		t.Errorf("unknown compression: err = %v, want one naming it", err)
	}
}
