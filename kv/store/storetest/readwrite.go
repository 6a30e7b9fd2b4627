package storetest

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/slipstream-go/slipstream/kv/store"
)

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
