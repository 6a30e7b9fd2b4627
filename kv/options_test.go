package kv

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
)

// TestOptionsReachTheStore checks that each field of Options is handed to
// the store's options, and the nil Options to nil.
func TestOptionsReachTheStore(t *testing.T) {
	if got := (*Options)(nil).rocks(); got != nil {
		t.Errorf("nil Options: %+v", got)
	}
	logger := slog.New(slog.DiscardHandler)
	o := Options{Compaction: FIFO, Window: 5 * MiB, Sync: true, WALRecovery: RecoverSkipAnyCorrupted, ReadOnly: true, Logger: logger}
	want := store.RocksOptions{Compaction: store.FIFO, Window: 5 * MiB, Sync: true, WALRecovery: store.RecoverSkipAnyCorrupted, ReadOnly: true, Logger: logger}
	if got := o.rocks(); *got != want {
		t.Errorf("store options = %+v, want %+v", *got, want)
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir, codec.StringKey(), codec.String(), &Options{ReadOnly: true}); err == nil {
		t.Error("ReadOnly opened an empty directory")
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
		window    = 4 * MiB
		written   = 24 * MiB
		valueSize = 4096
	)
	// FIFO compaction deletes whole table files, oldest first, until the
	// rest fit the window, so what it keeps falls short of the window by
	// up to the last file it deleted: one memtable's worth, or, on a
	// loaded machine, two (a flush that runs late writes both memtables
	// into one file; with a 2 MiB window, this test once kept only the
	// last 476 KiB). A memtable may overshoot its size by an arena block,
	// 1/8 of it, and a file holds an index besides the values.
	def := store.DefaultRocksOptions()
	twoMemtables := def.WriteBufferSize * int64(def.MaxWriteBuffers) * 9 / 8
	atLeast := window - twoMemtables - window/16

	dir := t.TempDir()
	c, err := Open(dir, codec.Int[int](), codec.Bytes(), &Options{Compaction: FIFO, Window: window})
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
	if kept*valueSize > window || int64(kept*valueSize) < atLeast {
		t.Errorf("kept keys %d..%d (%d KiB of values), want from %d KiB to the %d KiB window", oldest, n-1, kept*valueSize>>10, atLeast>>10, window>>10)
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
func waitForCompactions(t *testing.T, s store.Store) {
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

// TestWALRecoveryOption damages the write-ahead log under acknowledged
// writes: by default Open drops what follows the damage and logs it; with
// RecoverAbsoluteConsistency it fails, naming the database and the log.
// (Package store's TestWALRecovery tries every mode.)
func TestWALRecoveryOption(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	c, err := Open(dir, codec.Int[int](), codec.String(), &Options{Sync: true})
	must(t, err)
	for i := range n {
		must(t, c.Set(i, "acknowledged"))
	}
	must(t, c.Close()) // with the log on, Close leaves the writes in it
	wal, err := filepath.Glob(filepath.Join(dir, "*.log"))
	must(t, err)
	if len(wal) != 1 {
		t.Fatalf("want one write-ahead log, found %q", wal)
	}
	b, err := os.ReadFile(wal[0])
	must(t, err)
	for i := len(b) / 2; i < len(b)/2+64; i++ {
		b[i] ^= 0xff // not zeros, which RocksDB may take for padding (see store.WALRecovery)
	}
	must(t, os.WriteFile(wal[0], b, 0o644))

	_, err = Open(dir, codec.Int[int](), codec.String(), &Options{WALRecovery: RecoverAbsoluteConsistency})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), wal[0]) {
		t.Fatalf("Open with RecoverAbsoluteConsistency = %v; want ErrCorrupt, naming %s", err, wal[0])
	}

	var log strings.Builder
	c, err = Open(dir, codec.Int[int](), codec.String(), &Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	must(t, err)
	defer c.Close()
	if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), wal[0]) {
		t.Errorf("Open logged %q, want a warning naming %s", log.String(), wal[0])
	}
	if ok, _ := c.Has(n - 1); ok {
		t.Error("the last write is there: the damage did not reach it")
	}
}
