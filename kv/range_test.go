package kv

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
)

func TestIteratorToAndRange(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.Int[int](), codec.String())
		for _, k := range []int{-5, 0, 2, 4, 6, 8, 10} {
			must(t, c.Set(k, fmt.Sprint("v", k)))
		}
		tests := []struct {
			name string
			it   *Iterator[int, string]
			want []int
		}{
			{"to", c.Iter().To(6), []int{-5, 0, 2, 4}},
			{"to between keys", c.Iter().To(5), []int{-5, 0, 2, 4}},
			{"to the first", c.Iter().To(-5), nil},
			{"to past the last", c.Iter().To(99), []int{-5, 0, 2, 4, 6, 8, 10}},
			{"to reverse", c.Iter().To(6).Reverse(), []int{4, 2, 0, -5}},
			{"to between keys reverse", c.Iter().To(7).Reverse(), []int{6, 4, 2, 0, -5}},
			{"from and to", c.Iter().From(2).To(8), []int{2, 4, 6}},
			{"from after to", c.Iter().From(8).To(2), nil},
			{"from and to reverse", c.Iter().From(5).To(8).Reverse(), []int{4, 2, 0, -5}},
			{"from past to reverse", c.Iter().From(9).To(8).Reverse(), []int{6, 4, 2, 0, -5}},
			{"range", c.Iter().Range(0, 8), []int{0, 2, 4, 6}},
			{"range between keys", c.Iter().Range(1, 7), []int{2, 4, 6}},
			{"range reverse", c.Iter().Range(0, 8).Reverse(), []int{6, 4, 2, 0}},
			{"range between keys reverse", c.Iter().Range(1, 7).Reverse(), []int{6, 4, 2}},
			{"empty range", c.Iter().Range(4, 4), nil},
			{"inverted range", c.Iter().Range(8, 2), nil},
			{"inverted range reverse", c.Iter().Range(8, 2).Reverse(), nil},
			{"range and from", c.Iter().Range(0, 8).From(3), []int{4, 6}},
			{"range and from before it", c.Iter().Range(0, 8).From(-99), []int{0, 2, 4, 6}},
			{"range and from reverse", c.Iter().Range(0, 8).From(3).Reverse(), []int{2, 0}},
			{"range and from past it reverse", c.Iter().Range(0, 8).From(99).Reverse(), []int{6, 4, 2, 0}},
			{"range then to", c.Iter().Range(0, 8).To(5), []int{0, 2, 4}},
			{"prefix and to", c.Iter().Prefix(4).To(6), []int{4}},
			{"prefix and to before it", c.Iter().Prefix(4).To(4), nil},
		}
		for _, tt := range tests {
			if got := keysOf(t, tt.it); !slices.Equal(got, tt.want) {
				t.Errorf("%s: keys %v, want %v", tt.name, got, tt.want)
			}
		}

		// First, Items and Values take the bounds too.
		last, err := c.Iter().To(6).Reverse().First()
		if err != nil || last != mo.Some(NewEntry(4, "v4")) {
			t.Errorf("the last entry before 6 = %v, %v; want 4", last, err)
		}
		es := items(t, c.Iter().Range(2, 6).Reverse())
		if want := []Entry[int, string]{NewEntry(4, "v4"), NewEntry(2, "v2")}; !slices.Equal(es, want) {
			t.Errorf("Items of [2, 6) reversed = %v, want %v", es, want)
		}
		if vs := slices.Collect(c.Iter().Range(2, 6).Values()); !slices.Equal(vs, []string{"v2", "v4"}) {
			t.Errorf("Values of [2, 6) = %q", vs)
		}

		// A snapshot's iterator takes them too.
		snap, err := c.Snapshot()
		must(t, err)
		defer snap.Close()
		must(t, c.Set(3, "new"))
		if got := keysOf(t, snap.Iter().Range(0, 6).Reverse()); !slices.Equal(got, []int{4, 2, 0}) {
			t.Errorf("snapshot range reversed = %v", got)
		}
	})
}

func TestIteratorBoundsOfEmptyKey(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		set(t, c, map[string]string{"": "empty", "a": "1", "b": "2"})
		for _, tt := range []struct {
			name string
			it   *Iterator[string, string]
			want []string
		}{
			{"to the empty key", c.Iter().To(""), nil},
			{"to the empty key reverse", c.Iter().To("").Reverse(), nil},
			{"from the empty key reverse", c.Iter().From("").Reverse(), []string{""}},
			{"range from the empty key", c.Iter().Range("", "b"), []string{"", "a"}},
			{"range from the empty key reverse", c.Iter().Range("", "b").Reverse(), []string{"a", ""}},
		} {
			if got := keysOf(t, tt.it); !slices.Equal(got, tt.want) {
				t.Errorf("%s: keys %q, want %q", tt.name, got, tt.want)
			}
		}
	})
}

// TestIteratorBoundsModel compares random passes, with random bounds, start
// and direction, with a filter over a sorted list of the keys.
func TestIteratorBoundsModel(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		rng := rand.New(rand.NewPCG(1, 2))
		c := stringCache(s)
		const alphabet = "ab\xff"
		randKey := func() string {
			var b strings.Builder
			for range rng.IntN(4) {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
			return b.String()
		}
		var keys []string
		for range 40 {
			k := randKey()
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
				must(t, c.Set(k, "v"))
			}
		}
		slices.Sort(keys)
		for range 500 {
			it := c.Iter()
			var desc []string
			keep := func(string) bool { return true }
			and := func(f func(string) bool) {
				g := keep
				keep = func(k string) bool { return g(k) && f(k) }
			}
			if rng.IntN(3) == 0 {
				p := randKey()
				it.Prefix(p)
				desc = append(desc, fmt.Sprintf("Prefix(%q)", p))
				and(func(k string) bool { return strings.HasPrefix(k, p) })
			}
			switch rng.IntN(3) {
			case 0:
				hi := randKey()
				it.To(hi)
				desc = append(desc, fmt.Sprintf("To(%q)", hi))
				and(func(k string) bool { return k < hi })
			case 1:
				lo, hi := randKey(), randKey()
				it.Range(lo, hi)
				desc = append(desc, fmt.Sprintf("Range(%q, %q)", lo, hi))
				and(func(k string) bool { return lo <= k && k < hi })
			}
			reverse := rng.IntN(2) == 0
			if rng.IntN(2) == 0 {
				from := randKey()
				it.From(from)
				desc = append(desc, fmt.Sprintf("From(%q)", from))
				if reverse {
					and(func(k string) bool { return k <= from })
				} else {
					and(func(k string) bool { return k >= from })
				}
			}
			want := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !keep(k) })
			if reverse {
				it.Reverse()
				desc = append(desc, "Reverse()")
				slices.Reverse(want)
			}
			if got := keysOf(t, it); !slices.Equal(got, want) {
				t.Fatalf("%s: keys %q, want %q", strings.Join(desc, "."), got, want)
			}
		}
	})
}

// TestPairKeysKeepEventsOfOneInstant checks, on both stores, that a cache
// keyed by (time, ID) keeps events of one instant apart, in order, and
// that ranges of times bound them.
func TestPairKeysKeepEventsOfOneInstant(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.PairKey(codec.Time(), codec.StringKey()), codec.Int[int]())
		t0 := time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
		k := codec.NewPair[time.Time, string]
		for i, key := range []codec.Pair[time.Time, string]{
			k(t0, "b"), k(t0, "a"), k(t0, "a\x00"), k(t0.Add(-1), "z"), k(t0.Add(1), ""),
		} {
			must(t, c.Set(key, i))
		}
		var got []string
		for key, v := range c.Iter().Range(k(t0, ""), k(t0.Add(1), "")).Reverse().Items() {
			got = append(got, fmt.Sprintf("%q=%d", key.Second, v))
		}
		if want := []string{`"b"=0`, `"a\x00"=2`, `"a"=1`}; !slices.Equal(got, want) {
			t.Errorf("events of one instant, backwards: %v, want %v", got, want)
		}
	})
}
