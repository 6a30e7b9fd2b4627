package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/slipstream-go/slipstream/kv/store"
)

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
