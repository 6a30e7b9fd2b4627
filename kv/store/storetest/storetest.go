// Package storetest checks that a [store.Store] behaves as the interface says:
// the conformance suite that the RocksDB and in-memory stores both pass.
// Run it from a test of a new backend:
//
//	func TestMyStore(t *testing.T) {
//		storetest.TestStore(t, func(t *testing.T) store.Store {
//			s, err := mystore.Open(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
package storetest

import (
	"testing"

	"github.com/slipstream-go/slipstream/kv/store"
)

// TestStore runs the conformance suite against stores made by open, which
// must return a new, empty store, of a database of its own, each time it is
// called, and close it when the test ends.
func TestStore(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"GetMissing", testGetMissing},
		{"PutGet", testPutGet},
		{"EmptyValueIsNotMissing", testEmptyValue},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"CallerOwnsSlices", testOwnership},
		{"ByteOrder", testByteOrder},
		{"Seek", testSeek},
		{"ChangeDirection", testChangeDirection},
		{"EmptyCursor", testEmptyCursor},
		{"CursorSeesCreationTime", testCursorIsolation},
		{"CursorBounds", testCursorBounds},
		{"CursorBoundsOnSnapshot", testCursorBoundsSnapshot},
		{"CursorBoundsPastDeletes", testCursorBoundsDeletes},
		{"DeleteRangeExcludesEnd", testDeleteRange},
		{"WriteBatch", testWriteBatch},
		{"WriteBatchAcrossFamilies", testWriteBatchFamilies},
		{"WriteBatchOfOtherDatabase", testWriteBatchMixed},
		{"Snapshot", testSnapshot},
		{"Families", testFamilies},
		{"DropFamily", testDropFamily},
		{"FlushCompact", testFlushCompact},
		{"Close", testClose},
		{"Destroy", testDestroy},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

func put(t *testing.T, s store.Store, kvs ...string) {
	t.Helper()
	for i := 0; i+1 < len(kvs); i += 2 {
		if err := s.Put([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
			t.Fatalf("Put(%q): %v", kvs[i], err)
		}
	}
}

// get returns the value of key, or "<missing>".
func get(t *testing.T, r store.Reader, key string) string {
	t.Helper()
	v, ok, err := r.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !ok {
		if v != nil {
			t.Errorf("Get(%q) = %q, not found: want a nil value", key, v)
		}
		return "<missing>"
	}
	return string(v)
}

func wantGet(t *testing.T, r store.Reader, key, want string) {
	t.Helper()
	if got := get(t, r, key); got != want {
		t.Errorf("Get(%q) = %q, want %q", key, got, want)
	}
}

func cursor(t *testing.T, r store.Reader) store.Cursor {
	t.Helper()
	c, err := r.NewCursor(nil, nil)
	if err != nil {
		t.Fatalf("NewCursor: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// keys returns every key of r, forwards, or backwards if reverse.
func keys(t *testing.T, r store.Reader, reverse bool) []string {
	t.Helper()
	c := cursor(t, r)
	var ks []string
	if reverse {
		for c.SeekToLast(); c.Valid(); c.Prev() {
			ks = append(ks, string(c.Key()))
		}
	} else {
		for c.SeekToFirst(); c.Valid(); c.Next() {
			ks = append(ks, string(c.Key()))
		}
	}
	if err := c.Err(); err != nil {
		t.Fatalf("cursor: %v", err)
	}
	return ks
}

// at returns the cursor's key, or "<invalid>".
func at(c store.Cursor) string {
	if !c.Valid() {
		return "<invalid>"
	}
	return string(c.Key())
}
