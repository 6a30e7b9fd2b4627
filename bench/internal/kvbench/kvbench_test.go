package kvbench

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/benchtest"
)

// The tests use a database of 10,000 keys, not a million: they check the
// bodies, not the figures.
func TestMain(m *testing.M) {
	numKeys = 10_000
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

func TestValue(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range []int{0, 1, 9, 10, 1023, 99_999, 999_999} {
		v := Value(k)
		if len(v) != ValueSize {
			t.Fatalf("Value(%d) has %d bytes, want %d: %q", k, len(v), ValueSize, v)
		}
		if !bytes.Contains(v, []byte(Key(k))) {
			t.Fatalf("Value(%d) = %q does not name its key", k, v)
		}
		if seen[string(v)] {
			t.Fatalf("Value(%d) = %q repeats", k, v)
		}
		seen[string(v)] = true
	}
}

func TestKeys(t *testing.T) {
	ks := theKeys()
	if len(ks.str) != numKeys || len(ks.raw) != numKeys || len(ks.order) != numKeys {
		t.Fatalf("%d keys, %d raw, %d in order; want %d", len(ks.str), len(ks.raw), len(ks.order), numKeys)
	}
	for k := range ks.str {
		if ks.str[k] != Key(k) || string(ks.raw[k]) != Key(k) {
			t.Fatalf("key %d: %q, %q; want %q", k, ks.str[k], ks.raw[k], Key(k))
		}
	}
	order := slices.Clone(ks.order)
	slices.Sort(order)
	for i, k := range order {
		if i != k {
			t.Fatalf("order is not a permutation: sorted, index %d holds %d", i, k)
		}
	}
	if slices.IsSorted(ks.order) {
		t.Fatal("order is sorted, not random")
	}
}

// TestRawOptionsMatch checks that a database opened with rocksOptions gets
// the options a Cache opened with cacheOptions gets,
// as RocksDB records them in each database's OPTIONS file.
func TestRawOptionsMatch(t *testing.T) {
	dir := t.TempDir()
	cache, err := openCache(filepath.Join(dir, "cache"))
	if err != nil {
		t.Fatal(err)
	}
	cache.Close()
	raw, err := openRaw(filepath.Join(dir, "raw"))
	if err != nil {
		t.Fatal(err)
	}
	raw.close()
	a, b := optionsFile(t, filepath.Join(dir, "cache")), optionsFile(t, filepath.Join(dir, "raw"))
	if a != b {
		t.Fatalf("options differ:\n--- cache\n%s\n--- grocksdb\n%s", a, b)
	}
}

// optionsFile returns the options RocksDB recorded in the database at dir,
// without comments.
func optionsFile(t *testing.T, dir string) string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "OPTIONS-*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no OPTIONS file in %s (%v)", dir, err)
	}
	slices.Sort(names)
	data, err := os.ReadFile(names[len(names)-1])
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^\s*#.*\n`).ReplaceAllString(string(data), "")
}

// TestGetDatabase reads every key of the Get database on both sides.
func TestGetDatabase(t *testing.T) {
	f, err := theFilled()
	if err != nil {
		t.Fatal(err)
	}
	for k := range numKeys {
		v, err := f.cache.Get(Key(k))
		if err != nil || !bytes.Equal(v.OrEmpty(), Value(k)) {
			t.Fatalf("cache: key %d: %q, %v; want %q", k, v.OrEmpty(), err, Value(k))
		}
		r, err := f.raw.db.GetBytes(f.raw.ro, []byte(Key(k)))
		if err != nil || !bytes.Equal(r, Value(k)) {
			t.Fatalf("grocksdb: key %d: %q, %v; want %q", k, r, err, Value(k))
		}
	}
	if v, err := f.cache.Get(Key(numKeys)); err != nil || v.IsPresent() {
		t.Fatalf("cache: key %d: %v, %v; want none", numKeys, v, err)
	}
	if again, err := theFilled(); err != nil || again != f {
		t.Fatalf("the database was made again (%v)", err)
	}
}

// TestWrites runs both sides of Set and Transaction on one env, past the
// end of the value pool.
func TestWrites(t *testing.T) {
	for _, c := range []*Comparison{&Set, &Transaction} {
		t.Run(c.Name, func(t *testing.T) {
			e, err := c.setup(true, true)
			if err != nil {
				t.Fatal(err)
			}
			defer e.close()
			for i := range 2 * valuePool {
				if err := e.slip(i); err != nil {
					t.Fatal(err)
				}
				if err := e.base(i); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestInterleave checks that both sides make every op, in chunks, taking
// turns at going first.
func TestInterleave(t *testing.T) {
	var calls []string
	rec := func(side string, want *int) op {
		return func(i int) error {
			if i != *want {
				t.Fatalf("%s: op %d, want %d", side, i, *want)
			}
			*want++
			if i%Chunk == 0 {
				calls = append(calls, side)
			}
			return nil
		}
	}
	var nSlip, nBase int
	n := 3*Chunk + 5
	tSlip, tBase, err := interleave(n, rec("slip", &nSlip), rec("base", &nBase))
	if err != nil || nSlip != n || nBase != n || tSlip <= 0 || tBase <= 0 {
		t.Fatalf("%d and %d ops in %v and %v (%v); want %d each", nSlip, nBase, tSlip, tBase, err, n)
	}
	want := []string{"slip", "base", "base", "slip", "slip", "base", "base", "slip"}
	if !slices.Equal(calls, want) {
		t.Fatalf("chunks started %v, want %v", calls, want)
	}
}

// TestBenchmarks runs every body through testing.Benchmark, as cmd/ratios
// does.
func TestBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, c := range Comparisons {
		for name, f := range map[string]func(*testing.B){
			c.Slip: c.Slipstream, c.Base: c.Baseline, "interleaved": c.Interleaved,
		} {
			t.Run(c.Name+"/"+name, func(t *testing.T) {
				r := benchtest.RunN(t, f, 3000)
				if name == "interleaved" && (r.Extra[c.SlipMetric()] <= 0 || r.Extra[c.BaseMetric()] <= 0) {
					t.Fatalf("interleaved figures missing: %v", r.Extra)
				}
			})
		}
	}
}
