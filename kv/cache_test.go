package kv

import (
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
)

// backends runs fn once on an in-memory store and once on a RocksDB one.
func backends(t *testing.T, fn func(t *testing.T, s store.Store)) {
	t.Run("memory", func(t *testing.T) {
		s := store.NewMemory()
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("rocksdb", func(t *testing.T) {
		fn(t, openRocks(t, t.TempDir(), nil))
	})
}

func openRocks(t *testing.T, path string, o *store.RocksOptions) store.Store {
	t.Helper()
	s, err := store.OpenRocks(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func stringCache(s store.Store) *Cache[string, string] {
	return New(s, codec.StringKey(), codec.String())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func set[K comparable, V any](t *testing.T, c *Cache[K, V], kvs map[K]V) {
	t.Helper()
	for k, v := range kvs {
		must(t, c.Set(k, v))
	}
}

// items collects a pass of it, failing the test on an error.
func items[K, V any](t *testing.T, it *Iterator[K, V]) []Entry[K, V] {
	t.Helper()
	var es []Entry[K, V]
	for k, v := range it.Items() {
		es = append(es, NewEntry(k, v))
	}
	must(t, it.Err())
	return es
}

func keysOf[K, V any](t *testing.T, it *Iterator[K, V]) []K {
	t.Helper()
	ks := slices.Collect(it.Keys())
	must(t, it.Err())
	return ks
}

func TestCacheGetSetDeleteHas(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		got, err := c.Get("prize")
		if err != nil || got.IsPresent() {
			t.Fatalf("Get of a missing key = %v, %v; want None, nil", got, err)
		}
		must(t, c.Set("prize", "🏆"))
		if got, err := c.Get("prize"); err != nil || got != mo.Some("🏆") {
			t.Errorf("Get = %v, %v; want Some(🏆)", got, err)
		}
		if ok, err := c.Has("prize"); err != nil || !ok {
			t.Errorf("Has = %v, %v", ok, err)
		}
		must(t, c.Set("prize", "🥈"))
		if got, _ := c.Get("prize"); got != mo.Some("🥈") {
			t.Errorf("Get after overwrite = %v", got)
		}
		must(t, c.Delete("prize"))
		must(t, c.Delete("never there"))
		if got, err := c.Get("prize"); err != nil || got.IsPresent() {
			t.Errorf("Get after Delete = %v, %v", got, err)
		}
		if ok, _ := c.Has("prize"); ok {
			t.Error("Has after Delete = true")
		}
	})
}

func TestCacheEncodeError(t *testing.T) {
	c := stringCache(store.NewMemory())
	err := c.Set("k", "\xff not UTF-8")
	if err == nil || !strings.Contains(err.Error(), "key k") {
		t.Errorf("Set of a value the codec rejects = %v; want an error naming the key", err)
	}
	if ok, _ := c.Has("k"); ok {
		t.Error("the rejected value was stored")
	}
}

func TestIntKeysSortNumerically(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.Int[int](), codec.String())
		want := []int{math.MinInt, -100, -10, -2, -1, 0, 1, 2, 9, 10, 11, 100, 1000, math.MaxInt}
		for _, k := range slices.Backward(want) {
			must(t, c.Set(k, "v"))
		}
		if got := keysOf(t, c.Iter()); !slices.Equal(got, want) {
			t.Errorf("keys = %v, want numeric order %v", got, want)
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		if got := keysOf(t, c.Iter().Reverse()); !slices.Equal(got, rev) {
			t.Errorf("reverse keys = %v, want %v", got, rev)
		}
		if got := keysOf(t, c.Iter().From(3)); !slices.Equal(got, []int{9, 10, 11, 100, 1000, math.MaxInt}) {
			t.Errorf("keys from 3 = %v", got)
		}
		if got := keysOf(t, c.Iter().From(-5).Reverse()); !slices.Equal(got, []int{-10, -100, math.MinInt}) {
			t.Errorf("keys back from -5 = %v", got)
		}
	})
}

func TestTimeKeysSortChronologically(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.Time(), codec.String())
		base := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
		var want []time.Time
		for _, d := range []time.Duration{-48 * time.Hour, -time.Nanosecond, 0, time.Nanosecond, time.Second, time.Hour, 400 * 24 * time.Hour} {
			want = append(want, base.Add(d))
		}
		for _, k := range slices.Backward(want) {
			must(t, c.Set(k.In(time.FixedZone("X", 3600)), k.Format(time.RFC3339Nano)))
		}
		got := keysOf(t, c.Iter())
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Errorf("keys = %v, want %v", got, want)
		}
		// The nearest at or before a time between two keys.
		e, err := c.Iter().From(base.Add(time.Minute)).Reverse().First()
		must(t, err)
		if k := e.MustGet().Key; !k.Equal(base.Add(time.Second)) {
			t.Errorf("nearest at or before base+1m = %v, want base+1s", k)
		}
	})
}

func TestIteratorPrefixFromReverse(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		for _, k := range []string{"a", "us", "user", "user:1", "user:2", "user:3", "user;", "users", "v"} {
			must(t, c.Set(k, strings.ToUpper(k)))
		}
		tests := []struct {
			name string
			it   *Iterator[string, string]
			want []string
		}{
			{"all", c.Iter(), []string{"a", "us", "user", "user:1", "user:2", "user:3", "user;", "users", "v"}},
			{"prefix", c.Iter().Prefix("user:"), []string{"user:1", "user:2", "user:3"}},
			{"prefix reverse", c.Iter().Prefix("user:").Reverse(), []string{"user:3", "user:2", "user:1"}},
			{"prefix matching none", c.Iter().Prefix("user:9"), nil},
			{"prefix matching none reverse", c.Iter().Prefix("user:9").Reverse(), nil},
			{"prefix that is a key", c.Iter().Prefix("user"), []string{"user", "user:1", "user:2", "user:3", "user;", "users"}},
			{"from a key", c.Iter().From("user:2"), []string{"user:2", "user:3", "user;", "users", "v"}},
			{"from between keys", c.Iter().From("user:25"), []string{"user:3", "user;", "users", "v"}},
			{"from after the last", c.Iter().From("w"), nil},
			{"from a key reverse", c.Iter().From("user:2").Reverse(), []string{"user:2", "user:1", "user", "us", "a"}},
			{"from between keys reverse", c.Iter().From("user:25").Reverse(), []string{"user:2", "user:1", "user", "us", "a"}},
			{"from before the first reverse", c.Iter().From("0").Reverse(), nil},
			{"from after the last reverse", c.Iter().From("zzz").Reverse(), []string{"v", "users", "user;", "user:3", "user:2", "user:1", "user", "us", "a"}},
			{"prefix and from", c.Iter().Prefix("user:").From("user:2"), []string{"user:2", "user:3"}},
			{"prefix and from before it", c.Iter().Prefix("user:").From("a"), []string{"user:1", "user:2", "user:3"}},
			{"prefix and from after it", c.Iter().Prefix("user:").From("v"), nil},
			{"prefix and from reverse", c.Iter().Prefix("user:").From("user:25").Reverse(), []string{"user:2", "user:1"}},
			{"prefix and from after it reverse", c.Iter().Prefix("user:").From("v").Reverse(), []string{"user:3", "user:2", "user:1"}},
			{"prefix and from before it reverse", c.Iter().Prefix("user:").From("a").Reverse(), nil},
		}
		for _, tt := range tests {
			got := keysOf(t, tt.it)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: keys %q, want %q", tt.name, got, tt.want)
			}
		}
		// Items and Values agree with Keys.
		es := items(t, c.Iter().Prefix("user:").Reverse())
		vals := slices.Collect(c.Iter().Prefix("user:").Reverse().Values())
		for i, e := range es {
			if e.Value != strings.ToUpper(e.Key) || vals[i] != e.Value {
				t.Errorf("item %d: %v, value %q", i, e, vals[i])
			}
		}
	})
}

func TestIteratorPrefixOfFFBytes(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		set(t, New(s, codec.StringKey(), codec.Bytes()), map[string][]byte{"\xfe": nil, "\xff": nil, "\xff\xff": nil, "\xff\xff\x01": nil})
		for _, tt := range []struct {
			prefix  string
			reverse bool
			want    []string
		}{
			{"\xff", false, []string{"\xff", "\xff\xff", "\xff\xff\x01"}},
			{"\xff", true, []string{"\xff\xff\x01", "\xff\xff", "\xff"}},
			{"\xff\xff", true, []string{"\xff\xff\x01", "\xff\xff"}},
			{"", true, []string{"\xff\xff\x01", "\xff\xff", "\xff", "\xfe"}},
		} {
			it := c.Iter().Prefix(tt.prefix)
			if tt.reverse {
				it.Reverse()
			}
			if got := keysOf(t, it); !slices.Equal(got, tt.want) {
				t.Errorf("prefix %q reverse %v: %q, want %q", tt.prefix, tt.reverse, got, tt.want)
			}
		}
	})
}

func TestIteratorIsReusableAndStopsEarly(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		cs := &cursorCounter{Store: s}
		c := stringCache(cs)
		set(t, c, map[string]string{"a": "1", "b": "2", "c": "3"})
		it := c.Iter()
		for k := range it.Keys() {
			if k == "b" {
				break
			}
		}
		must(t, c.Set("d", "4")) // the next pass sees it
		if got := keysOf(t, it); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Errorf("second pass = %q", got)
		}
		first, err := c.Iter().First()
		if err != nil || first != mo.Some(NewEntry("a", "1")) {
			t.Errorf("First = %v, %v", first, err)
		}
		none, err := c.Iter().From("zz").First()
		if err != nil || none.IsPresent() {
			t.Errorf("First past the end = %v, %v", none, err)
		}
		if n := cs.open.Load(); n != 0 {
			t.Errorf("%d cursors left open after the loops", n)
		}
	})
}

// A cursorCounter is a store that counts the cursors open on it.
type cursorCounter struct {
	store.Store
	open atomic.Int64
}

func (s *cursorCounter) NewCursor(start, end []byte) (store.Cursor, error) {
	c, err := s.Store.NewCursor(start, end)
	if err != nil {
		return nil, err
	}
	s.open.Add(1)
	return &countedCursor{Cursor: c, s: s}, nil
}

type countedCursor struct {
	store.Cursor
	s      *cursorCounter
	closed bool
}

func (c *countedCursor) Close() error {
	if !c.closed {
		c.closed = true
		c.s.open.Add(-1)
	}
	return c.Cursor.Close()
}

func TestUndecodableBytesNameTheKey(t *testing.T) {
	type price struct{ Cents int }
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.StringKey(), codec.JSON[price]())
		must(t, c.Set("apple", price{120}))
		must(t, s.Put([]byte("pear"), []byte("{not json")))

		_, err := c.Get("pear")
		if err == nil || !strings.Contains(err.Error(), "key pear") || !strings.Contains(err.Error(), "json") {
			t.Errorf("Get of bad bytes = %v; want an error naming the key and the codec", err)
		}
		if got, err := c.Get("apple"); err != nil || got != mo.Some(price{120}) {
			t.Errorf("Get of good bytes = %v, %v", got, err)
		}

		it := c.Iter()
		got := items(t, c.Iter().From("a").Prefix("apple"))
		if len(got) != 1 {
			t.Errorf("items before the bad one = %v", got)
		}
		n := 0
		for range it.Items() {
			n++
		}
		if n != 1 || it.Err() == nil || !strings.Contains(it.Err().Error(), "key pear") {
			t.Errorf("iteration yielded %d items, then Err %v; want 1, then an error naming pear", n, it.Err())
		}
		for range it.Values() {
		}
		if it.Err() == nil || !strings.Contains(it.Err().Error(), "key pear") {
			t.Errorf("Values: Err = %v; want an error naming pear", it.Err())
		}
		if ks := keysOf(t, c.Iter()); !slices.Equal(ks, []string{"apple", "pear"}) {
			t.Errorf("Keys, which do not decode values = %q", ks)
		}

		// A key the key codec cannot decode.
		ints := New(s, codec.Int[int64](), codec.JSON[price]())
		it2 := ints.Iter()
		for range it2.Keys() {
			t.Error("yielded a key of the wrong size")
		}
		if it2.Err() == nil || !strings.Contains(it2.Err().Error(), `"apple"`) {
			t.Errorf("Keys: Err = %v; want an error naming the bytes of the key", it2.Err())
		}
	})
}

func TestBatch(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.StringKey(), codec.Int[int]())
		set(t, c, map[string]int{"old": 1, "r1": 1, "r2": 2, "s": 1})
		b := c.Batch()
		b.Set("new", 1)
		b.Delete("old")
		b.DeleteRange("r", "s") // s stays
		b.Set("new", 2)
		if b.Len() != 4 {
			t.Errorf("Len = %d", b.Len())
		}
		if ok, _ := c.Has("new"); ok {
			t.Error("a batch write shows before Commit")
		}
		must(t, b.Commit())
		want := []Entry[string, int]{NewEntry("new", 2), NewEntry("s", 1)}
		if got := items(t, c.Iter()); !slices.Equal(got, want) {
			t.Errorf("after commit: %v, want %v", got, want)
		}
		if b.Len() != 0 {
			t.Errorf("Len after Commit = %d", b.Len())
		}

		// A batch with a value the codec rejects writes nothing.
		strs := stringCache(s)
		sb := strs.Batch()
		sb.Set("good", "fine")
		sb.Set("bad", "\xff")
		if sb.Err() == nil {
			t.Error("Err is nil after a rejected value")
		}
		if err := sb.Commit(); err == nil || !strings.Contains(err.Error(), "key bad") {
			t.Errorf("Commit = %v; want the encoding error naming the key", err)
		}
		if ok, _ := strs.Has("good"); ok {
			t.Error("a failed batch wrote part of itself")
		}
	})
}

func TestBatchAcrossFamilies(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		fs, err := s.Family("counts")
		must(t, err)
		names := stringCache(s)
		counts := New(fs, codec.StringKey(), codec.Int[int]())
		var wb WriteBatch
		names.BatchOn(&wb).Set("id1", "ann")
		counts.BatchOn(&wb).Set("id1", 7)
		if ok, _ := names.Has("id1"); ok {
			t.Error("shows before commit")
		}
		must(t, counts.BatchOn(&wb).Commit())
		if got, _ := names.Get("id1"); got != mo.Some("ann") {
			t.Errorf("names: %v", got)
		}
		if got, _ := counts.Get("id1"); got != mo.Some(7) {
			t.Errorf("counts: %v", got)
		}
		if _, err := names.Get("id1"); err != nil {
			t.Error(err)
		}
		if got, _ := stringCache(s).Get("id1"); got != mo.Some("ann") {
			t.Errorf("default family: %v", got)
		}
	})
}

func TestCacheSnapshot(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		set(t, c, map[string]string{"a": "1", "b": "2"})
		snap, err := c.Snapshot()
		must(t, err)
		must(t, c.Set("a", "changed"))
		must(t, c.Set("c", "3"))
		must(t, c.Delete("b"))
		if got, err := snap.Get("a"); err != nil || got != mo.Some("1") {
			t.Errorf("snapshot Get(a) = %v, %v", got, err)
		}
		if ok, _ := snap.Has("b"); !ok {
			t.Error("snapshot lost b")
		}
		want := []Entry[string, string]{NewEntry("a", "1"), NewEntry("b", "2")}
		if got := items(t, snap.Iter()); !slices.Equal(got, want) {
			t.Errorf("snapshot items = %v, want %v", got, want)
		}
		must(t, snap.Close())
		if _, err := snap.Get("a"); !errors.Is(err, ErrClosed) {
			t.Errorf("Get on a closed snapshot = %v", err)
		}
	})
}

func TestDeleteRangeExcludesEnd(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.Int[int](), codec.String())
		for i := range 10 {
			must(t, c.Set(i, "v"))
		}
		must(t, c.DeleteRange(2, 8))
		if got := keysOf(t, c.Iter()); !slices.Equal(got, []int{0, 1, 8, 9}) {
			t.Errorf("keys after DeleteRange(2, 8) = %v", got)
		}
	})
}

func TestFlushAndCompact(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.Int[int](), codec.String())
		for i := range 100 {
			must(t, c.Set(i, "v"))
		}
		must(t, c.Flush())
		must(t, c.Compact())
		must(t, c.CompactRange(10, 20))
		if n := len(keysOf(t, c.Iter())); n != 100 {
			t.Errorf("%d keys after flush and compaction", n)
		}
	})
}

func TestCacheCloseAndDestroy(t *testing.T) {
	dir := t.TempDir() + "/db"
	c, err := Open(dir, codec.StringKey(), codec.String(), nil)
	must(t, err)
	must(t, c.Set("a", "1"))
	must(t, c.Close())
	must(t, c.Close())
	if _, err := c.Get("a"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if err := c.Set("a", "2"); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close = %v, want ErrClosed", err)
	}

	c, err = Open(dir, codec.StringKey(), codec.String(), nil)
	must(t, err)
	if got, _ := c.Get("a"); got != mo.Some("1") {
		t.Errorf("after reopening: %v", got)
	}
	must(t, c.Destroy())
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database directory is still there after Destroy: %v", err)
	}
}

func TestReopenKeepsFamilies(t *testing.T) {
	dir := t.TempDir()
	s, err := store.OpenRocks(dir, nil)
	must(t, err)
	fs, err := s.Family("prices")
	must(t, err)
	prices := New(fs, codec.StringKey(), codec.Int[int]())
	must(t, prices.Set("apple", 120))
	must(t, stringCache(s).Set("apple", "red"))
	must(t, s.Close())

	s = openRocks(t, dir, nil)
	names, err := s.Families()
	must(t, err)
	slices.Sort(names)
	if !slices.Equal(names, []string{store.DefaultFamily, "prices"}) {
		t.Errorf("families after reopening = %q", names)
	}
	fs, err = s.Family("prices")
	must(t, err)
	if got, _ := New(fs, codec.StringKey(), codec.Int[int]()).Get("apple"); got != mo.Some(120) {
		t.Errorf("prices after reopening: %v", got)
	}
	if got, _ := stringCache(s).Get("apple"); got != mo.Some("red") {
		t.Errorf("default family after reopening: %v", got)
	}
}

func TestCacheString(t *testing.T) {
	if got := NewMemory(codec.StringKey(), codec.String()).String(); got != "Cache(memory)" {
		t.Errorf("String = %q", got)
	}
	dir := t.TempDir()
	s := openRocks(t, dir, nil)
	f, err := s.Family("x")
	must(t, err)
	if got, want := stringCache(f).String(), "Cache(rocksdb:"+dir+"/x)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
