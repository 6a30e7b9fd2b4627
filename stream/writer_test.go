package stream_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slipstream-go/slipstream/stream"
)

// TestAddReturnsOnceTheHandlerHasTheItem: without a goroutine boundary, an
// item a source adds has been through the handler when Add returns, so the
// source never runs ahead of its handler.
func TestAddReturnsOnceTheHandlerHasTheItem(t *testing.T) {
	var handled atomic.Int64
	src := stream.SourceFunc[int64](func(ctx context.Context, w *stream.Writer[int64]) error {
		for i := range int64(1000) {
			if err := w.Add(ctx, i); err != nil {
				return err
			}
			if got := handled.Load(); got != i+1 {
				t.Errorf("after adding item %d the handler has %d items, want %d", i, got, i+1)
				return nil
			}
		}
		return w.Flush(ctx)
	})
	app := stream.NewApp()
	stream.Handle(app, stream.Map(src, func(n int64) int64 { return n }), stream.Do(func(int64) { handled.Add(1) }))
	if err := app.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestAsyncLetsTheSourceReadAhead: after Async, the source keeps reading
// while the handler is busy, a bounded number of items ahead.
func TestAsyncLetsTheSourceReadAhead(t *testing.T) {
	var written atomic.Int64
	release := make(chan struct{})
	src := stream.SourceFunc[int64](func(ctx context.Context, w *stream.Writer[int64]) error {
		for i := range int64(200) {
			if err := w.Add(ctx, i); err != nil {
				return err
			}
			if written.Add(1) == 100 {
				close(release) // the handler is still held at its first item
			}
		}
		return w.Flush(ctx)
	})
	var handled int64
	app := stream.NewApp()
	stream.Handle(app, stream.Async(src), stream.Do(func(n int64) {
		if n == 0 {
			<-release
		}
		if n != handled {
			t.Errorf("got item %d, want %d", n, handled)
		}
		handled++
	}))
	if err := app.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if handled != 200 {
		t.Fatalf("handled %d items, want 200", handled)
	}
}

// TestAHandlerErrorStopsItsSource: the source learns from the writer that
// the app failed, and the app returns the handler's error, not the
// source's.
func TestAHandlerErrorStopsItsSource(t *testing.T) {
	errBad := errors.New("bad item")
	var afterFailure atomic.Int64
	var sourceErr error
	src := stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for i := 0; ; i++ {
			if err := w.Add(ctx, i); err != nil {
				sourceErr = err
				return err
			}
			if i >= 3 {
				afterFailure.Add(1)
			}
		}
	})
	app := stream.NewApp()
	stream.Handle(app, src, stream.FuncErr(func(_ context.Context, n int) (int, error) {
		if n == 3 {
			return 0, errBad
		}
		return n, nil
	}).Named("check"))
	err := app.Run(context.Background())
	if !errors.Is(err, errBad) || !strings.Contains(err.Error(), "handler check") {
		t.Fatalf("Run = %v, want the handler's error, naming it", err)
	}
	if sourceErr == nil || afterFailure.Load() != 0 {
		t.Fatalf("the source went on after the failure: Add returned %v, then %d more items were added", sourceErr, afterFailure.Load())
	}
}

// TestFlushSaysWhenToStop: a source that only writes, and never looks at
// its context, stops when the app stops, and every item it wrote is
// handled.
func TestFlushSaysWhenToStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var written, handled int
	src := stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for {
			if err := w.Write(ctx, written); err != nil {
				return err
			}
			written++
		}
	})
	app := stream.NewApp()
	stream.Handle(app, src, stream.Do(func(n int) {
		if handled++; handled == 50 {
			cancel()
		}
	}))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
	// The stop reaches the source soon after the cancel, not at once; the
	// Write that says stop has taken its item.
	if written < 49 || handled != written+1 {
		t.Fatalf("written %d, handled %d: want every item handled, the last Write's too", written, handled)
	}
}
