package stream_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// ints returns 0..n-1.
func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func collect[T any](t *testing.T, src stream.Source[T]) []T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := stream.Collect(ctx, src)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return got
}

func TestMapKeepsOrder(t *testing.T) {
	// Enough items to span many chunks.
	got := collect(t, stream.Map(source.Slice(ints(10_000)), func(n int) int { return n * 2 }))
	for i, v := range got {
		if v != i*2 {
			t.Fatalf("item %d = %d, want %d", i, v, i*2)
		}
	}
	if len(got) != 10_000 {
		t.Fatalf("got %d items, want 10000", len(got))
	}
}

func TestPipelineOfEveryCombinator(t *testing.T) {
	src := source.Slice(ints(1000))
	evens := stream.Filter(src, func(n int) bool { return n%2 == 0 })
	twice := stream.FlatMap(evens, func(n int) iter.Seq[int] { return slices.Values([]int{n, n}) })
	sums := stream.Scan(twice, 0, func(acc, n int) int { return acc + n })
	got := collect(t, sums)

	var want []int
	acc := 0
	for n := 0; n < 1000; n += 2 {
		acc += n
		want = append(want, acc)
		acc += n
		want = append(want, acc)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v..., want %v...", got[:6], want[:6])
	}
}

func TestFlatMapFuncYieldsZeroOrMany(t *testing.T) {
	got := collect(t, stream.FlatMapFunc(source.Values(0, 1, 2, 3), func(n int, emit func(string)) {
		for range n {
			emit(fmt.Sprint(n))
		}
	}))
	if want := []string{"1", "2", "2", "3", "3", "3"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestPairwise(t *testing.T) {
	got := collect(t, stream.Pairwise(source.Values("a", "b", "c", "d")))
	want := [][2]string{{"a", "b"}, {"b", "c"}, {"c", "d"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestBatchBySize(t *testing.T) {
	got := collect(t, stream.Batch(source.Slice(ints(10)), 4, 0))
	want := [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("batch %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestBatchByTime(t *testing.T) {
	// A source that sends one item and then waits for the batch to arrive:
	// only maxWait can send a batch of one.
	in := make(chan int)
	out := make(chan []int)
	app := stream.NewApp()
	stream.Handle(app, stream.Batch(source.Chan(in), 100, 10*time.Millisecond),
		stream.Func(func(b []int) []int { return b }),
		stream.SinkFunc[[]int](func(_ context.Context, b []int) error { out <- b; return nil }))
	done := make(chan error)
	go func() { done <- app.Run(context.Background()) }()
	for i := range 3 {
		in <- i
		if b := <-out; !slices.Equal(b, []int{i}) {
			t.Fatalf("batch = %v, want [%d]", b, i)
		}
	}
	close(in)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestTeeGivesEveryBranchEveryItem(t *testing.T) {
	branches := stream.Tee(source.Slice(ints(500)), 3)
	app := stream.NewApp()
	results := make([]*[]int, 3)
	for i, b := range branches {
		var got []int
		results[i] = &got
		stream.Handle(app, b, stream.Do(func(n int) { got = append(got, n) }))
	}
	if err := app.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !slices.Equal(*r, ints(500)) {
			t.Fatalf("branch %d got %d items", i, len(*r))
		}
	}
}

func TestTeeBranchNotReadFailsAtStart(t *testing.T) {
	branches := stream.Tee(source.Slice(ints(5)), 2)
	app := stream.NewApp()
	stream.Handle(app, branches[0], stream.Do(func(int) {}))
	err := app.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "branch 1 of Tee(source.Slice) is not read") {
		t.Fatalf("Run = %v, want an error about the unread branch", err)
	}
}

func TestMergeKeepsEachSourcesOrder(t *testing.T) {
	a := stream.Map(source.Slice(ints(3000)), func(n int) string { return fmt.Sprint("a", n) })
	b := stream.Map(source.Slice(ints(3000)), func(n int) string { return fmt.Sprint("b", n) })
	got := collect(t, stream.Merge(a, b))
	if len(got) != 6000 {
		t.Fatalf("got %d items, want 6000", len(got))
	}
	next := map[byte]int{'a': 0, 'b': 0}
	for _, s := range got {
		if want := fmt.Sprint(string(s[0]), next[s[0]]); s != want {
			t.Fatalf("got %s, want %s next", s, want)
		}
		next[s[0]]++
	}
}

func TestMapConcurrentKeepsOrderAndRunsConcurrently(t *testing.T) {
	var running, most atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	f := func(_ context.Context, n int) (int, error) {
		r := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if r <= m || most.CompareAndSwap(m, r) {
				break
			}
		}
		if n < 4 {
			started <- struct{}{}
			<-release // the first four wait for each other: they must run at once
		}
		return n * 10, nil
	}
	go func() {
		for range 4 {
			<-started
		}
		close(release)
	}()
	got := collect(t, stream.MapConcurrent(source.Slice(ints(200)), 4, f))
	for i, v := range got {
		if v != i*10 {
			t.Fatalf("item %d = %d, want %d", i, v, i*10)
		}
	}
	if most.Load() > 4 {
		t.Fatalf("%d calls ran at once, want at most 4", most.Load())
	}
}

func TestMapErrFailsTheAppNamingTheFunction(t *testing.T) {
	boom := errors.New("boom")
	parse := func(_ context.Context, n int) (int, error) {
		if n == 7 {
			return 0, boom
		}
		return n, nil
	}
	_, err := stream.Collect(context.Background(), stream.MapErr(source.Slice(ints(100)), parse))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if !strings.Contains(err.Error(), "MapErr TestMapErrFailsTheAppNamingTheFunction") {
		t.Fatalf("err = %q does not name the function", err)
	}
}

func TestMapConcurrentError(t *testing.T) {
	boom := errors.New("boom")
	_, err := stream.Collect(context.Background(), stream.MapConcurrent(source.Slice(ints(1000)), 3,
		func(_ context.Context, n int) (int, error) {
			if n == 500 {
				return 0, boom
			}
			return n, nil
		}))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestStreamReadTwicePanics(t *testing.T) {
	s := stream.Map(source.Values(1), func(n int) int { return n })
	stream.Filter(s, func(int) bool { return true })
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, "already reads; use Tee") {
			t.Fatalf("panic = %q", msg)
		}
	}()
	stream.Map(s, func(n int) int { return n })
}

func TestInvalidArgumentsNameTheArgument(t *testing.T) {
	src := source.Values(1)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"Map nil", func() { stream.Map[int, int](src, nil) }, "stream.Map: f is nil"},
		{"Filter nil", func() { stream.Filter(src, nil) }, "stream.Filter: keep is nil"},
		{"FlatMap nil", func() { stream.FlatMap[int, int](src, nil) }, "stream.FlatMap: f is nil"},
		{"Scan nil", func() { stream.Scan[int, int](src, 0, nil) }, "stream.Scan: f is nil"},
		{"Tee 0", func() { stream.Tee(src, 0) }, "stream.Tee: n must be at least 1, got 0"},
		{"Take 0", func() { stream.Take(src, 0) }, "stream.Take: n must be at least 1, got 0"},
		{"Batch 0", func() { stream.Batch(src, 0, time.Second) }, "stream.Batch: size must be at least 1, got 0"},
		{"MapConcurrent 0", func() {
			stream.MapConcurrent(src, 0, func(context.Context, int) (int, error) { return 0, nil })
		}, "stream.MapConcurrent: n must be at least 1, got 0"},
		{"Merge none", func() { stream.Merge[int]() }, "stream.Merge: no sources"},
		{"Map nil src", func() { stream.Map(nil, func(n int) int { return n }) }, "stream.Map: src is nil"},
		{"Func nil", func() { stream.Func[int, int](nil) }, "stream.Func: f is nil"},
		{"Handle nil sink", func() { stream.Handle(stream.NewApp(), src, stream.Func(func(n int) int { return n }), nil) }, "stream.Handle: sinks[0] is nil"},
		{"Ticker", func() { source.Ticker(0) }, "source.Ticker: d must be positive, got 0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if got := fmt.Sprint(recover()); got != c.want {
					t.Fatalf("panic = %q, want %q", got, c.want)
				}
			}()
			c.f()
		})
	}
}
