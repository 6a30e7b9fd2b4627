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
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
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

func testGetMissing(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	wantGet(t, s, "nope", "<missing>")
	ok, err := s.Has([]byte("nope"))
	if err != nil || ok {
		t.Errorf("Has(missing) = %v, %v; want false, nil", ok, err)
	}
}

func testPutGet(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1", "", "empty key", "\x00\xff", "binary")
	wantGet(t, s, "a", "1")
	wantGet(t, s, "", "empty key")
	wantGet(t, s, "\x00\xff", "binary")
	ok, err := s.Has([]byte("a"))
	if err != nil || !ok {
		t.Errorf("Has(a) = %v, %v; want true, nil", ok, err)
	}
}

func testEmptyValue(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	if err := s.Put([]byte("k"), nil); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.Get([]byte("k"))
	if err != nil || !ok || len(v) != 0 {
		t.Errorf("Get of an empty value = %q, %v, %v; want \"\", true, nil", v, ok, err)
	}
	if ok, _ := s.Has([]byte("k")); !ok {
		t.Error("Has of an empty value = false")
	}
}

func testOverwrite(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "k", "old", "k", "new")
	wantGet(t, s, "k", "new")
	if got := keys(t, s, false); !slices.Equal(got, []string{"k"}) {
		t.Errorf("keys = %q, want one", got)
	}
}

func testDelete(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1", "b", "2")
	if err := s.Delete([]byte("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete([]byte("never there")); err != nil {
		t.Errorf("Delete(missing) = %v, want nil", err)
	}
	wantGet(t, s, "a", "<missing>")
	wantGet(t, s, "b", "2")
}

func testOwnership(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	k, v := []byte("key"), []byte("value")
	if err := s.Put(k, v); err != nil {
		t.Fatal(err)
	}
	copy(k, "XXX")
	copy(v, "XXXXX")
	wantGet(t, s, "key", "value")
	got, _, _ := s.Get([]byte("key"))
	copy(got, "YYYYY")
	wantGet(t, s, "key", "value")
}

func testByteOrder(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	want := []string{"", "\x00", "\x00\x00", "\x01", "A", "a", "a\x00", "ab", "b", "\x7f", "\x80", "\xff", "\xff\xff"}
	shuffled := slices.Clone(want)
	rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, k := range shuffled {
		put(t, s, k, "v"+k)
	}
	if got := keys(t, s, false); !slices.Equal(got, want) {
		t.Errorf("forward keys = %q, want %q", got, want)
	}
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if got := keys(t, s, true); !slices.Equal(got, rev) {
		t.Errorf("backward keys = %q, want %q", got, rev)
	}
	c := cursor(t, s)
	for c.SeekToFirst(); c.Valid(); c.Next() {
		if string(c.Value()) != "v"+string(c.Key()) {
			t.Errorf("at %q the value is %q", c.Key(), c.Value())
		}
	}
}

func testSeek(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "b", "", "d", "", "f", "")
	c := cursor(t, s)
	tests := []struct {
		seek          string
		ge, le        string // Seek and SeekForPrev land at
		afterGe, befl string // then Next and Prev
	}{
		{"a", "b", "<invalid>", "d", "<invalid>"},
		{"b", "b", "b", "d", "<invalid>"},
		{"c", "d", "b", "f", "<invalid>"},
		{"d", "d", "d", "f", "b"},
		{"e", "f", "d", "<invalid>", "b"},
		{"g", "<invalid>", "f", "<invalid>", "d"},
	}
	for _, tt := range tests {
		c.Seek([]byte(tt.seek))
		if got := at(c); got != tt.ge {
			t.Errorf("Seek(%q) at %q, want %q", tt.seek, got, tt.ge)
		}
		if c.Valid() {
			c.Next()
			if got := at(c); got != tt.afterGe {
				t.Errorf("Seek(%q), Next at %q, want %q", tt.seek, got, tt.afterGe)
			}
		}
		c.SeekForPrev([]byte(tt.seek))
		if got := at(c); got != tt.le {
			t.Errorf("SeekForPrev(%q) at %q, want %q", tt.seek, got, tt.le)
		}
		if c.Valid() {
			c.Prev()
			if got := at(c); got != tt.befl {
				t.Errorf("SeekForPrev(%q), Prev at %q, want %q", tt.seek, got, tt.befl)
			}
		}
	}
	c.SeekToFirst()
	if got := at(c); got != "b" {
		t.Errorf("SeekToFirst at %q", got)
	}
	c.SeekToLast()
	if got := at(c); got != "f" {
		t.Errorf("SeekToLast at %q", got)
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v", err)
	}
}

func testChangeDirection(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "", "b", "", "c", "")
	c := cursor(t, s)
	c.Seek([]byte("b"))
	var path []string
	for _, move := range []func(){c.Next, c.Prev, c.Prev, c.Next, c.Next} {
		move()
		path = append(path, at(c))
	}
	if want := []string{"c", "b", "a", "b", "c"}; !slices.Equal(path, want) {
		t.Errorf("path = %q, want %q", path, want)
	}
}

func testEmptyCursor(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := cursor(t, s)
	for _, seek := range []func(){c.SeekToFirst, c.SeekToLast, func() { c.Seek(nil) }, func() { c.SeekForPrev([]byte("z")) }} {
		seek()
		if c.Valid() {
			t.Errorf("cursor of an empty store is valid at %q", c.Key())
		}
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v, want nil at the end of the keys", err)
	}
}

func testCursorIsolation(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1", "c", "3")
	c := cursor(t, s)
	put(t, s, "b", "2", "a", "changed")
	if err := s.Delete([]byte("c")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for c.SeekToFirst(); c.Valid(); c.Next() {
		got = append(got, string(c.Key())+"="+string(c.Value()))
	}
	if want := []string{"a=1", "c=3"}; !slices.Equal(got, want) {
		t.Errorf("cursor made before the writes sees %q, want %q", got, want)
	}
}

// bounded returns a cursor of r over the keys k with start <= k < end, nil
// for none, closed when the test ends.
func bounded(t *testing.T, r store.Reader, start, end []byte) store.Cursor {
	t.Helper()
	c, err := r.NewCursor(start, end)
	if err != nil {
		t.Fatalf("NewCursor(%q, %q): %v", start, end, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// walk returns where each of a cursor's moves lands, as at does, after a
// seek: the keys forwards or backwards, at most five.
func walk(c store.Cursor, seek func(), step func()) []string {
	var got []string
	for seek(); c.Valid() && len(got) < 5; step() {
		got = append(got, string(c.Key()))
	}
	return got
}

func bound(s string) []byte {
	if s == "<none>" {
		return nil
	}
	return []byte(s)
}

// checkBounds checks every seek of cursors of r over the keys b, d, f and h
// within bounds.
func checkBounds(t *testing.T, r store.Reader) {
	t.Helper()
	tests := []struct {
		start, end   string // "<none>" for no bound
		first, last  []string
		seekC, prevG []string // forwards from Seek("c"), backwards from SeekForPrev("g")
	}{
		{"<none>", "<none>", []string{"b", "d", "f", "h"}, []string{"h", "f", "d", "b"}, []string{"d", "f", "h"}, []string{"f", "d", "b"}},
		{"c", "<none>", []string{"d", "f", "h"}, []string{"h", "f", "d"}, []string{"d", "f", "h"}, []string{"f", "d"}},
		{"d", "<none>", []string{"d", "f", "h"}, []string{"h", "f", "d"}, []string{"d", "f", "h"}, []string{"f", "d"}},
		{"<none>", "f", []string{"b", "d"}, []string{"d", "b"}, []string{"d"}, []string{"d", "b"}},
		{"<none>", "e", []string{"b", "d"}, []string{"d", "b"}, []string{"d"}, []string{"d", "b"}},
		{"d", "g", []string{"d", "f"}, []string{"f", "d"}, []string{"d", "f"}, []string{"f", "d"}},
		{"a", "z", []string{"b", "d", "f", "h"}, []string{"h", "f", "d", "b"}, []string{"d", "f", "h"}, []string{"f", "d", "b"}},
		{"e", "f", nil, nil, nil, nil},
		{"f", "f", nil, nil, nil, nil},
		{"g", "c", nil, nil, nil, nil},
		{"<none>", "", nil, nil, nil, nil},
		{"", "<none>", []string{"b", "d", "f", "h"}, []string{"h", "f", "d", "b"}, []string{"d", "f", "h"}, []string{"f", "d", "b"}},
		{"i", "<none>", nil, nil, nil, nil},
		{"<none>", "b", nil, nil, nil, nil},
	}
	for _, tt := range tests {
		start, end := bound(tt.start), bound(tt.end)
		c := bounded(t, r, start, end)
		if start != nil {
			copy(start, "XXX") // the caller may reuse its bounds
		}
		if end != nil {
			copy(end, "XXX")
		}
		check := func(what string, got, want []string) {
			t.Helper()
			if !slices.Equal(got, want) {
				t.Errorf("bounds [%q, %q): %s visits %q, want %q", tt.start, tt.end, what, got, want)
			}
		}
		check("SeekToFirst, Next", walk(c, c.SeekToFirst, c.Next), tt.first)
		check("SeekToLast, Prev", walk(c, c.SeekToLast, c.Prev), tt.last)
		check(`Seek("c"), Next`, walk(c, func() { c.Seek([]byte("c")) }, c.Next), tt.seekC)
		check(`SeekForPrev("g"), Prev`, walk(c, func() { c.SeekForPrev([]byte("g")) }, c.Prev), tt.prevG)
		// Seeks beyond the bounds land at their edges, or nowhere.
		check(`Seek("a"), Next`, walk(c, func() { c.Seek([]byte("a")) }, c.Next), tt.first)
		check(`SeekForPrev("z"), Prev`, walk(c, func() { c.SeekForPrev([]byte("z")) }, c.Prev), tt.last)
		if err := c.Err(); err != nil {
			t.Errorf("bounds [%q, %q): Err = %v", tt.start, tt.end, err)
		}
	}
}

func testCursorBounds(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "b", "", "d", "", "f", "", "h", "")
	checkBounds(t, s)
}

func testCursorBoundsSnapshot(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "b", "", "d", "", "f", "", "h", "")
	v, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	put(t, s, "c", "", "e", "", "g", "")
	if err := s.Delete([]byte("d")); err != nil {
		t.Fatal(err)
	}
	checkBounds(t, v)
}

// testCursorBoundsDeletes checks bounds next to many deleted keys, which a
// store may skip over instead of reading.
func testCursorBoundsDeletes(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "", "m", "", "z", "")
	for i := range 1000 {
		k := fmt.Appendf(nil, "m%04d", i)
		if err := s.Put(k, k); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(k); err != nil {
			t.Fatal(err)
		}
	}
	c := bounded(t, s, []byte("b"), []byte("n"))
	if got := walk(c, c.SeekToFirst, c.Next); !slices.Equal(got, []string{"m"}) {
		t.Errorf("forwards within [b, n): %q, want [m]", got)
	}
	if got := walk(c, c.SeekToLast, c.Prev); !slices.Equal(got, []string{"m"}) {
		t.Errorf("backwards within [b, n): %q, want [m]", got)
	}
}

func testDeleteRange(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "", "b", "", "ba", "", "c", "", "d", "")
	if err := s.DeleteRange([]byte("b"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, s, false), []string{"a", "d"}; !slices.Equal(got, want) {
		t.Errorf("after DeleteRange(b, d): keys %q, want %q", got, want)
	}
	for _, r := range [][2]string{{"d", "d"}, {"z", "a"}} {
		if err := s.DeleteRange([]byte(r[0]), []byte(r[1])); err != nil {
			t.Errorf("DeleteRange(%q, %q) = %v, want nil", r[0], r[1], err)
		}
	}
	if got, want := keys(t, s, false), []string{"a", "d"}; !slices.Equal(got, want) {
		t.Errorf("after empty DeleteRanges: keys %q, want %q", got, want)
	}
}

func testWriteBatch(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "gone", "", "range1", "", "range2", "", "kept", "old")
	var b store.WriteBatch
	b.Put(s, []byte("new"), []byte("1"))
	b.Delete(s, []byte("gone"))
	b.DeleteRange(s, []byte("range"), []byte("range9"))
	b.Put(s, []byte("kept"), []byte("new"))
	b.Put(s, []byte("x"), []byte("set then deleted"))
	b.Delete(s, []byte("x"))
	b.Delete(s, []byte("y"))
	b.Put(s, []byte("y"), []byte("deleted then set"))
	c := cursor(t, s) // made before the batch is written
	if b.Len() != 8 {
		t.Errorf("Len = %d, want 8", b.Len())
	}
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, s, false), []string{"kept", "new", "y"}; !slices.Equal(got, want) {
		t.Errorf("keys after the batch = %q, want %q", got, want)
	}
	wantGet(t, s, "kept", "new")
	wantGet(t, s, "y", "deleted then set")
	var before []string
	for c.SeekToFirst(); c.Valid(); c.Next() {
		before = append(before, string(c.Key()))
	}
	if want := []string{"gone", "kept", "range1", "range2"}; !slices.Equal(before, want) {
		t.Errorf("a cursor made before the batch sees %q, want %q", before, want)
	}
	b.Reset()
	if b.Len() != 0 {
		t.Errorf("Len after Reset = %d", b.Len())
	}
	if err := s.Write(&b); err != nil {
		t.Errorf("writing an empty batch: %v", err)
	}
}

func testWriteBatchFamilies(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	f, err := s.Family("other")
	if err != nil {
		t.Fatal(err)
	}
	var b store.WriteBatch
	b.Put(s, []byte("k"), []byte("default"))
	b.Put(f, []byte("k"), []byte("other"))
	if err := f.Write(&b); err != nil { // any family of the database writes it
		t.Fatal(err)
	}
	wantGet(t, s, "k", "default")
	wantGet(t, f, "k", "other")
}

func testWriteBatchMixed(t *testing.T, open func(t *testing.T) store.Store) {
	s, other := open(t), open(t)
	var b store.WriteBatch
	b.Put(s, []byte("a"), []byte("1"))
	b.Put(other, []byte("b"), []byte("2"))
	if err := s.Write(&b); !errors.Is(err, store.ErrMixedBatch) {
		t.Errorf("Write of a batch naming another database = %v, want ErrMixedBatch", err)
	}
	wantGet(t, s, "a", "<missing>")
	wantGet(t, other, "b", "<missing>")
}

func testSnapshot(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1", "b", "2")
	v, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "a", "changed", "c", "3")
	if err := s.Delete([]byte("b")); err != nil {
		t.Fatal(err)
	}
	wantGet(t, v, "a", "1")
	wantGet(t, v, "b", "2")
	wantGet(t, v, "c", "<missing>")
	if ok, err := v.Has([]byte("b")); err != nil || !ok {
		t.Errorf("snapshot Has(b) = %v, %v", ok, err)
	}
	if got, want := keys(t, v, false), []string{"a", "b"}; !slices.Equal(got, want) {
		t.Errorf("snapshot keys = %q, want %q", got, want)
	}
	wantGet(t, s, "a", "changed")
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get on a closed snapshot = %v, want ErrClosed", err)
	}
	if err := v.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func testFamilies(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	def, err := s.Family(store.DefaultFamily)
	if err != nil {
		t.Fatal(err)
	}
	put(t, def, "k", "default")
	wantGet(t, s, "k", "default")
	a, err := s.Family("a")
	if err != nil {
		t.Fatal(err)
	}
	wantGet(t, a, "k", "<missing>")
	put(t, a, "k", "in a", "only-a", "")
	wantGet(t, s, "k", "default")
	again, err := s.Family("a")
	if err != nil {
		t.Fatal(err)
	}
	wantGet(t, again, "k", "in a")
	if got := keys(t, a, false); !slices.Equal(got, []string{"k", "only-a"}) {
		t.Errorf("keys of family a = %q", got)
	}
	names, err := s.Families()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if want := []string{"a", store.DefaultFamily}; !slices.Equal(names, want) {
		t.Errorf("Families = %q, want %q", names, want)
	}
}

func testDropFamily(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	a, err := s.Family("a")
	if err != nil {
		t.Fatal(err)
	}
	put(t, a, "k", "v")
	if err := s.DropFamily("a"); err != nil {
		t.Fatal(err)
	}
	if err := a.Put([]byte("k"), nil); err == nil {
		t.Error("Put to a dropped family succeeded")
	}
	if err := s.DropFamily(store.DefaultFamily); err == nil {
		t.Error("dropping the default family succeeded")
	}
	if err := s.DropFamily("never made"); err == nil {
		t.Error("dropping a missing family succeeded")
	}
	names, _ := s.Families()
	if slices.Contains(names, "a") {
		t.Errorf("Families after the drop = %q", names)
	}
	a2, err := s.Family("a")
	if err != nil {
		t.Fatal(err)
	}
	wantGet(t, a2, "k", "<missing>")
}

func testFlushCompact(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	for i := range 100 {
		put(t, s, fmt.Sprintf("%03d", i), "v")
	}
	if err := s.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	if err := s.Compact(nil, nil); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	if err := s.Compact([]byte("010"), []byte("020")); err != nil {
		t.Fatalf("Compact(range): %v", err)
	}
	if got := len(keys(t, s, false)); got != 100 {
		t.Errorf("%d keys after flush and compaction, want 100", got)
	}
}

func testClose(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1", "b", "2")
	f, err := s.Family("f")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.NewCursor(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SeekToFirst()
	v, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil { // closes the whole database
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, _, err := s.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if err := s.Put([]byte("a"), nil); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Put after Close = %v, want ErrClosed", err)
	}
	if _, err := s.NewCursor(nil, nil); !errors.Is(err, store.ErrClosed) {
		t.Errorf("NewCursor after Close = %v, want ErrClosed", err)
	}
	if _, _, err := v.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("snapshot Get after Close = %v, want ErrClosed", err)
	}
	c.Next()
	if c.Valid() || !errors.Is(c.Err(), store.ErrClosed) {
		t.Errorf("cursor after Close: Valid %v, Err %v; want false, ErrClosed", c.Valid(), c.Err())
	}
	if err := c.Close(); err != nil {
		t.Errorf("closing a cursor after its store: %v", err)
	}
	if err := v.Close(); err != nil {
		t.Errorf("closing a snapshot after its store: %v", err)
	}
}

func testDestroy(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	put(t, s, "a", "1")
	if err := s.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get after Destroy = %v, want ErrClosed", err)
	}
}

func testConcurrent(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	const writers, n = 4, 200
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for w := range writers {
		wg.Go(func() {
			for i := range n {
				k := fmt.Appendf(nil, "%d/%03d", w, i)
				if err := s.Put(k, k); err != nil {
					errs <- err
					return
				}
				v, ok, err := s.Get(k)
				if err != nil || !ok || !bytes.Equal(v, k) {
					errs <- fmt.Errorf("Get(%s) = %q, %v, %v right after Put", k, v, ok, err)
					return
				}
			}
		})
		wg.Go(func() { // a reader walking the keys while they are written
			c, err := s.NewCursor(nil, nil)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			var prev []byte
			for c.SeekToFirst(); c.Valid(); c.Next() {
				if prev != nil && bytes.Compare(prev, c.Key()) >= 0 {
					errs <- fmt.Errorf("cursor went from %q to %q", prev, c.Key())
					return
				}
				prev = bytes.Clone(c.Key())
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := len(keys(t, s, false)); got != writers*n {
		t.Errorf("%d keys, want %d", got, writers*n)
	}
}
