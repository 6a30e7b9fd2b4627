package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/slipstream-go/slipstream/kv/store"
)

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
