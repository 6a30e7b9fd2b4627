package stream_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// countingSource counts the items it has handed to its writer.
type countingSource struct {
	written atomic.Int64
}

func (s *countingSource) Feed(ctx context.Context, w *stream.Writer[int64]) error {
	for {
		if err := w.Write(ctx, s.written.Load()); err != nil {
			return err
		}
		s.written.Add(1)
	}
}

func TestPauseHoldsTheSourceAndResumeReleasesIt(t *testing.T) {
	src := &countingSource{}
	s := stream.From[int64](src)
	var handled atomic.Int64
	app := stream.NewApp()
	stream.Handle(app, s, stream.Do(func(n int64) {
		if want := handled.Load(); n != want {
			t.Errorf("got %d, want %d: items lost or reordered", n, want)
		}
		handled.Add(1)
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- app.Run(ctx) }()

	waitFor(t, func() bool { return handled.Load() >= 10 })
	s.Pause()
	if !s.Paused() {
		t.Fatal("Paused() = false after Pause")
	}
	// What was already read drains, then nothing more comes: the source
	// is held in Write.
	var held int64
	waitFor(t, func() bool {
		held = src.written.Load()
		return handled.Load() >= held
	})
	for range 1000 {
		runtime.Gosched()
	}
	if w := src.written.Load(); w > held+1 {
		t.Fatalf("the source wrote %d items while paused", w-held)
	}
	s.Resume()
	waitFor(t, func() bool { return handled.Load() > held+1000 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// waitFor waits until cond holds, yielding to the other goroutines meanwhile.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 10_000_000 {
			t.Fatal("condition never held")
		}
		runtime.Gosched()
	}
}

func TestPauseOfADerivedStreamReachesEverySource(t *testing.T) {
	a, b := source.Values(1), source.Values(2)
	m := stream.Merge(stream.Map(a, func(n int) int { return n }), b)
	m.Pause()
	if !m.Paused() {
		t.Fatal("merged stream not paused")
	}
	m.Resume()
	if m.Paused() {
		t.Fatal("merged stream still paused")
	}
}

// A slow sink slows its source: the items between them stay bounded.
func TestBackpressureKeepsMemoryBounded(t *testing.T) {
	src := &countingSource{}
	var handled atomic.Int64
	var most int64
	ctx, cancel := context.WithCancel(context.Background())
	app := stream.NewApp()
	s := stream.Map(stream.Filter(stream.Map(src, func(n int64) int64 { return n }), func(int64) bool { return true }), func(n int64) int64 { return n })
	stream.Handle(app, s, stream.Do(func(int64) {
		h := handled.Add(1)
		for range 20 {
			runtime.Gosched() // a slow handler: the source could race far ahead
		}
		most = max(most, src.written.Load()-h)
		if h == 5000 {
			cancel()
		}
	}))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// Four edges of a few chunks each, plus a chunk in each stage's hands.
	const bound = 2000
	if most > bound {
		t.Fatalf("the source ran %d items ahead of the handler, want at most %d", most, bound)
	}
	t.Logf("the source ran at most %d items ahead", most)
}

func TestWaitResumed(t *testing.T) {
	waited := make(chan error, 1)
	sawPause := make(chan struct{})
	src := stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for !streamio.Paused(w) {
			runtime.Gosched()
		}
		close(sawPause)
		waited <- streamio.WaitResumed(ctx, w)
		return w.Write(ctx, 1)
	})
	s := stream.From[int](src)
	s.Pause()
	got := make(chan []int, 1)
	go func() {
		items, _ := stream.Collect(context.Background(), s)
		got <- items
	}()
	<-sawPause
	select {
	case err := <-waited:
		t.Fatalf("WaitResumed returned %v while paused", err)
	default:
	}
	s.Resume()
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if items := <-got; len(items) != 1 {
		t.Fatalf("got %v", items)
	}
}
