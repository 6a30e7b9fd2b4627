package window_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// Over a long run, closed windows leave the state: its size stays that of
// the windows open at any one time, for every kind of window.
func TestExpiryKeepsStateBounded(t *testing.T) {
	kinds := map[string]window.Windows{
		"tumbling": window.Tumbling(10 * time.Millisecond).WithGrace(5 * time.Millisecond),
		"hopping":  window.Hopping(10*time.Millisecond, 5*time.Millisecond).WithGrace(5 * time.Millisecond),
		"sliding":  window.Sliding(10 * time.Millisecond).WithGrace(5 * time.Millisecond),
		"session":  window.Session(3 * time.Millisecond).WithGrace(5 * time.Millisecond),
	}
	for name, w := range kinds {
		for _, emit := range []window.Emit{window.EmitUpdates, window.EmitFinal} {
			t.Run(fmt.Sprint(name, "/emit=", emit), func(t *testing.T) {
				cache := kv.NewMemory(codec.Bytes(), codec.Bytes())
				op := newOp(t, w, window.InCache(cache), emit, nil)
				const keys = 20
				var most int
				// 20000 records, 1 ms apart, over 20 keys: 20 s of event
				// time, some 2000 windows per key of each kind.
				for round := range 10 {
					rs := make([]rec, 2000)
					for i := range rs {
						n := round*len(rs) + i
						rs[i] = rec{fmt.Sprint("k", n%keys), float64(n) / 4}
					}
					app := stream.NewApp()
					window.Handle(app, source.Values(rs...), op, sink.Discard[window.Result[string, int64]]())
					if err := app.Run(context.Background()); err != nil {
						t.Fatal(err)
					}
					most = max(most, size(t, cache))
				}
				// Open at any time, per key: 2 hopping windows, 15 ms of
				// sliding instants, one session; each with an index
				// entry or two.
				if bound := keys * 2 * 20; most > bound {
					t.Errorf("the state grew to %d keys, want at most %d", most, bound)
				}
				t.Logf("at most %d keys", most)
				if op.Late() != 0 {
					t.Errorf("%d late records, want none: every record is in order", op.Late())
				}
			})
		}
	}
}

func size(t *testing.T, c *kv.Cache[[]byte, []byte]) int {
	t.Helper()
	n := 0
	it := c.Iter()
	for range it.Keys() {
		n++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// A window's state survives closing its RocksDB cache mid-window and
// opening it again: the counts go on, stream time too (a record late
// before the restart is late after it).
func TestRestoreMidWindowOnDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	w := window.Tumbling(10 * time.Millisecond).WithGrace(2 * time.Millisecond)
	half := func(rs ...rec) (got []string, late int64) {
		cache, err := kv.Open(path, codec.Bytes(), codec.Bytes(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer cache.Close()
		op := newOp(t, w, window.InCache(cache), window.EmitFinal, nil)
		return runOp(t, op, rs...), op.Late()
	}
	got, late := half(rec{"a", 1}, rec{"a", 2}, rec{"b", 3}, rec{"a", 12.5})
	expect(t, "before the restart", got, "a [0,10]=2 final", "b [0,10]=1 final")
	if late != 0 {
		t.Errorf("%d late before the restart, want none", late)
	}
	got, late = half(rec{"a", 9}, rec{"a", 15}, rec{"b", 19}, rec{"z", 40})
	expect(t, "after the restart", got, "a [10,20]=2 final", "b [10,20]=1 final")
	if late != 1 {
		t.Errorf("%d late after the restart, want 1 (a at 9: its window closed at 12)", late)
	}
}
