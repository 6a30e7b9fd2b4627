//go:build cgo

package store

import (
	"testing"

	"github.com/linxGnu/grocksdb"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openRocks opens the RocksDB store at path, closed when the test ends.
func openRocks(t *testing.T, path string, o *RocksOptions) Store {
	t.Helper()
	s, err := OpenRocks(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRocksDBHandles(t *testing.T) {
	s := openRocks(t, t.TempDir(), nil)
	must(t, s.Put([]byte("k"), []byte("v")))
	db, cf, ok := RocksDB(s)
	if !ok {
		t.Fatal("RocksDB of a RocksDB store: not ok")
	}
	ro := grocksdb.NewDefaultReadOptions()
	defer ro.Destroy()
	v, err := db.GetCF(ro, cf, []byte("k"))
	if err != nil || string(v.Data()) != "v" {
		t.Errorf("grocksdb Get = %q, %v", v.Data(), err)
	}
	v.Free()
	if _, _, ok := RocksDB(NewMemory()); ok {
		t.Error("RocksDB of a memory store: ok")
	}
}

func TestStoreString(t *testing.T) {
	if got := NewMemory().(interface{ String() string }).String(); got != "memory" {
		t.Errorf("memory String = %q", got)
	}
	dir := t.TempDir()
	s := openRocks(t, dir, nil)
	f, err := s.Family("x")
	must(t, err)
	if got, want := f.(interface{ String() string }).String(), "rocksdb:"+dir+"/x"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
