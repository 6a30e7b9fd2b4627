package stream_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/slipstream-go/slipstream/sink"
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

// runSource is a source that adds ints(n) in runs of size with AddAll.
func runSource(n, size int) stream.Source[int] {
	return stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for run := range slices.Chunk(ints(n), size) {
			if err := w.AddAll(ctx, run); err != nil {
				return err
			}
		}
		return w.Flush(ctx)
	})
}

// TestAddAllKeepsOrderThroughEveryStep: runs of items added with AddAll
// reach the sinks whole and in order, whether the handler takes a run in
// one go (a Func handler, also after a goroutine boundary) or item by item
// (after Map, or a Do handler), and whatever the sinks.
func TestAddAllKeepsOrderThroughEveryStep(t *testing.T) {
	const n = 1000
	double := func(v int) int { return 2 * v }
	want := make([]int, n)
	for i := range want {
		want[i] = 2 * i
	}
	cases := []struct {
		name string
		bind func(app *stream.App, src stream.Source[int], s stream.Sink[int])
	}{
		{"Func", func(app *stream.App, src stream.Source[int], s stream.Sink[int]) {
			stream.Handle(app, src, stream.Func(double), s)
		}},
		{"Async then Func", func(app *stream.App, src stream.Source[int], s stream.Sink[int]) {
			stream.Handle(app, stream.Async(src), stream.Func(double), s)
		}},
		{"Map then Func", func(app *stream.App, src stream.Source[int], s stream.Sink[int]) {
			stream.Handle(app, stream.Map(src, double), stream.Func(func(v int) int { return v }), s)
		}},
		{"Yield", func(app *stream.App, src stream.Source[int], s stream.Sink[int]) {
			stream.Handle(app, src, stream.Yield(func(v int, emit func(int)) { emit(double(v)) }), s)
		}},
	}
	for _, c := range cases {
		t.Run(c.name+" to a BatchSink", func(t *testing.T) {
			s := &batchSink{}
			runApp(t, func(app *stream.App) { c.bind(app, runSource(n, 100), s) })
			if runs, async := s.sent(); async != 0 || !slices.Equal(slices.Concat(runs...), want) {
				t.Fatalf("sent %v in runs and %d with SendAsync, want 0 to %d doubled in runs", runs, async, n-1)
			}
		})
		t.Run(c.name+" to two Sinks", func(t *testing.T) {
			a, b := sink.Collect[int](), sink.Collect[int]()
			app := stream.NewApp()
			src := runSource(n, 100)
			switch c.name {
			case "Func":
				stream.Handle(app, src, stream.Func(double), a, b)
			default:
				c.bind(app, src, sink.Func(func(ctx context.Context, v int) error {
					return errors.Join(a.Send(ctx, v), b.Send(ctx, v))
				}))
			}
			run(t, app)
			if !slices.Equal(a.Items(), want) || !slices.Equal(b.Items(), want) {
				t.Fatalf("sinks got %v and %v, want 0 to %d doubled", a.Items(), b.Items(), n-1)
			}
		})
	}
}

// TestAddAllStopsAtAFailingOutput: when a sink fails an output of a run,
// the handler makes no output from the rest of the run, and the app fails
// with the error, naming the handler and the sink.
func TestAddAllStopsAtAFailingOutput(t *testing.T) {
	failed := errors.New("disk full")
	var handled []int
	app := stream.NewApp()
	stream.Handle(app, runSource(10, 10), stream.Func(func(v int) int {
		handled = append(handled, v)
		return v
	}).Named("copy"), sink.Func(func(_ context.Context, v int) error {
		if v == 3 {
			return failed
		}
		return nil
	}))
	err := app.Run(context.Background())
	if !errors.Is(err, failed) || !strings.Contains(err.Error(), "handler copy: sink ") {
		t.Fatalf("app returned %v, want the sink's error, naming handler and sink", err)
	}
	if !slices.Equal(handled, []int{0, 1, 2, 3}) {
		t.Fatalf("handled %v, want 0 to 3: nothing after the failure", handled)
	}
}

// TestAddAllWaitsWhilePaused: AddAll on a paused stream takes nothing
// until the stream resumes; if ctx ends first, it returns ctx's error and
// no item of the run is handled.
func TestAddAllWaitsWhilePaused(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	adding := make(chan struct{})
	var addErr error
	s := stream.From(stream.SourceFunc[int](func(_ context.Context, w *stream.Writer[int]) error {
		close(adding)
		addErr = w.AddAll(ctx, []int{1, 2, 3})
		return nil
	}))
	s.Pause()
	var handled atomic.Int64
	app := stream.NewApp()
	stream.Handle(app, s, stream.Func(func(v int) int { handled.Add(1); return v }), sink.Discard[int]())
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	<-adding
	cancel() // while AddAll waits on the pause
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(addErr, context.Canceled) || handled.Load() != 0 {
		t.Fatalf("AddAll returned %v and %d items were handled, want context.Canceled and none", addErr, handled.Load())
	}
}
