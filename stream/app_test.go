package stream_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

func run(t *testing.T, app *stream.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := app.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestHandlerForms(t *testing.T) {
	in := []int{1, 2, 3}
	cases := []struct {
		name string
		h    stream.Handler[int, string]
		want []string
	}{
		{"Func", stream.Func(func(n int) string { return fmt.Sprint(n) }), []string{"1", "2", "3"}},
		{"FuncErr", stream.FuncErr(func(_ context.Context, n int) (string, error) { return fmt.Sprint(-n), nil }), []string{"-1", "-2", "-3"}},
		{"Yield", stream.Yield(func(n int, yield func(string)) {
			if n != 2 {
				yield(fmt.Sprint(n))
				yield(fmt.Sprint(n))
			}
		}), []string{"1", "1", "3", "3"}},
		{"YieldErr", stream.YieldErr(func(_ context.Context, n int, yield func(string)) error {
			yield(fmt.Sprint(n * n))
			return nil
		}), []string{"1", "4", "9"}},
		{"Seq", stream.Seq(func(n int) iter.Seq[string] {
			return func(yield func(string) bool) {
				for i := range n {
					if !yield(fmt.Sprint(n, i)) {
						return
					}
				}
			}
		}), []string{"1 0", "2 0", "2 1", "3 0", "3 1", "3 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := stream.NewApp()
			out := sink.Collect[string]()
			stream.Handle(app, source.Slice(in), c.h, out)
			run(t, app)
			if got := out.Items(); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDoHandlerReturnsNothing(t *testing.T) {
	var got []int
	app := stream.NewApp()
	stream.Handle(app, source.Values(1, 2, 3), stream.Do(func(n int) { got = append(got, n) }))
	run(t, app)
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v", got)
	}
}

// Each output reaches every sink, in sink order, before the next output is
// made.
func TestOutputsReachEverySinkInOrder(t *testing.T) {
	var log []string
	logSink := func(name string) stream.Sink[string] {
		return sink.Func(func(_ context.Context, v string) error {
			log = append(log, name+":"+v)
			return nil
		})
	}
	app := stream.NewApp()
	stream.Handle(app, source.Values(1, 2), stream.Yield(func(n int, yield func(string)) {
		log = append(log, fmt.Sprint("make ", n, "a"))
		yield(fmt.Sprint(n, "a"))
		log = append(log, fmt.Sprint("make ", n, "b"))
		yield(fmt.Sprint(n, "b"))
	}), logSink("s1"), logSink("s2"))
	run(t, app)
	want := []string{
		"make 1a", "s1:1a", "s2:1a", "make 1b", "s1:1b", "s2:1b",
		"make 2a", "s1:2a", "s2:2a", "make 2b", "s1:2b", "s2:2b",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("got\n%v\nwant\n%v", log, want)
	}
}

func TestHandlerErrorFailsTheAppNamingTheHandler(t *testing.T) {
	boom := errors.New("boom")
	forever := source.Ticker(time.Millisecond) // a sibling that never ends on its own
	app := stream.NewApp()
	stream.Handle(app, forever, stream.Do(func(time.Time) {}))
	stream.Handle(app, source.Slice(ints(100)), stream.FuncErr(func(_ context.Context, n int) (int, error) {
		if n == 42 {
			return 0, boom
		}
		return n, nil
	}).Named("checker"), sink.Discard[int]())
	err := app.Run(context.Background())
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "handler checker: ") {
		t.Fatalf("Run = %v, want boom from handler checker", err)
	}
}

// failOn42 fails on 42.
func failOn42(_ context.Context, n int) (int, error) {
	if n == 42 {
		return 0, errors.New("42")
	}
	return n, nil
}

func TestHandlerNameDefaultsToTheFunctionName(t *testing.T) {
	app := stream.NewApp()
	stream.Handle(app, source.Slice(ints(100)), stream.FuncErr(failOn42), sink.Discard[int]())
	if err := app.Run(context.Background()); err == nil || err.Error() != "handler failOn42: 42" {
		t.Fatalf("Run = %v, want the error of handler failOn42", err)
	}
}

func TestSinkErrorFailsTheAppNamingTheSink(t *testing.T) {
	app := stream.NewApp()
	stream.Handle(app, source.Values(1, 2, 3), stream.Func(func(n int) int { return n }),
		sink.Writer[int](failingWriter{}))
	err := app.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "sink *sink.WriterSink[int]: disk full") {
		t.Fatalf("Run = %v", err)
	}
}

func save(context.Context, int) error { return errors.New("quota exceeded") }

func TestSinkFuncErrorNamesTheFunction(t *testing.T) {
	app := stream.NewApp()
	stream.Handle(app, source.Values(1), stream.Func(func(n int) int { return n }).Named("id"), sink.Func(save))
	err := app.Run(context.Background())
	if err == nil || err.Error() != "handler id: sink save: quota exceeded" {
		t.Fatalf("Run = %v", err)
	}
}

func TestSourceFuncErrorNamesTheFunction(t *testing.T) {
	failing := func(context.Context, *stream.Writer[int]) error { return errors.New("boom") }
	app := stream.NewApp()
	stream.Handle(app, stream.SourceFunc[int](failing), stream.Do(func(int) {}))
	err := app.Run(context.Background())
	if err == nil || err.Error() != "source TestSourceFuncErrorNamesTheFunction.func1: boom" {
		t.Fatalf("Run = %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSourceErrorFailsTheApp(t *testing.T) {
	n := 0
	src := source.Func(func(context.Context) (int, error) {
		n++
		if n > 3 {
			return 0, errors.New("connection reset")
		}
		return n, nil
	})
	app := stream.NewApp()
	stream.Handle(app, src, stream.Do(func(int) {}))
	err := app.Run(context.Background())
	if err == nil || err.Error() != "source.Func: connection reset" {
		t.Fatalf("Run = %v", err)
	}
}

// Cancelling the context drains the app: the sources stop, what they read
// reaches the sinks, and Run returns nil.
func TestCancelDrains(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var produced, handled atomic.Int64
	src := source.Func(func(ctx context.Context) (int, error) {
		n := produced.Add(1)
		if n == 1000 {
			cancel()
		}
		return int(n), nil
	})
	app := stream.NewApp()
	stream.Handle(app, stream.Map(src, func(n int) int { return n }), stream.Do(func(int) { handled.Add(1) }))
	if err := app.Run(ctx); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if produced.Load() < 1000 || handled.Load() != produced.Load() {
		t.Fatalf("produced %d, handled %d: a drain handles every item read", produced.Load(), handled.Load())
	}
}

func TestDrainTimeoutAborts(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stuck := make(chan struct{})
	defer close(stuck)
	app := stream.NewApp(stream.WithDrainTimeout(50 * time.Millisecond))
	stream.Handle(app, source.Values(1), stream.FuncErr(func(hctx context.Context, n int) (int, error) {
		cancel()
		<-hctx.Done() // a handler that only stops when aborted
		return 0, hctx.Err()
	}))
	err := app.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not drain within 50ms") {
		t.Fatalf("Run = %v", err)
	}
}

func TestTwoAppsInOneProcess(t *testing.T) {
	a, b := stream.NewApp(), stream.NewApp()
	outA, outB := sink.Collect[string](), sink.Collect[string]()
	stream.Handle(a, source.Values("x", "y"), stream.Func(strings.ToUpper), outA)
	stream.Handle(b, source.Values("p", "q"), stream.Func(strings.ToUpper), outB)
	var wg sync.WaitGroup
	for _, app := range []*stream.App{a, b} {
		wg.Go(func() { run(t, app) })
	}
	wg.Wait()
	if !slices.Equal(outA.Items(), []string{"X", "Y"}) || !slices.Equal(outB.Items(), []string{"P", "Q"}) {
		t.Fatalf("a got %v, b got %v", outA.Items(), outB.Items())
	}
}

func TestRunTwiceIsAnError(t *testing.T) {
	app := stream.NewApp()
	stream.Handle(app, source.Values(1), stream.Do(func(int) {}))
	run(t, app)
	if err := app.Run(context.Background()); err == nil {
		t.Fatal("second Run returned nil")
	}
}

type closingSink struct {
	sink.Collector[int]
	closed atomic.Int32
}

func (s *closingSink) Close(context.Context) error { s.closed.Add(1); return nil }

func TestResourcesCloseOnceWhenTheAppStops(t *testing.T) {
	s := &closingSink{}
	var hooks []string
	app := stream.NewApp()
	app.OnClose(func(context.Context) error { hooks = append(hooks, "hook"); return nil })
	stream.Handle(app, source.Values(1, 2), stream.Func(func(n int) int { return n }), s)
	stream.Handle(app, source.Values(3), stream.Func(func(n int) int { return n }), s)
	run(t, app)
	if s.closed.Load() != 1 || !slices.Equal(hooks, []string{"hook"}) {
		t.Fatalf("closed %d times, hooks %v", s.closed.Load(), hooks)
	}
}

// A namedCloser records its name in *closed when it is closed.
type namedCloser struct {
	name   string
	closed *[]string
}

func (c namedCloser) Close(context.Context) error {
	*c.closed = append(*c.closed, c.name)
	return nil
}

type closingSource struct {
	source.SliceSource[int]
	namedCloser
}

type closingCollector struct {
	sink.Collector[int]
	namedCloser
}

func TestSourcesCloseBeforeSinksThenHooks(t *testing.T) {
	var closed []string
	app := stream.NewApp()
	app.OnClose(func(context.Context) error { closed = append(closed, "hook"); return nil })
	for _, h := range []string{"a", "b"} {
		src := closingSource{source.Values(1), namedCloser{h + " source", &closed}}
		out := &closingCollector{namedCloser: namedCloser{h + " sink", &closed}}
		stream.Handle(app, src, stream.Func(func(n int) int { return n }), out)
	}
	run(t, app)
	want := []string{"a source", "a sink", "b source", "b sink", "hook"}
	if !slices.Equal(closed, want) {
		t.Fatalf("closed in the order %q, want %q", closed, want)
	}
}

func TestRunUntilSignalDrainsOnSIGTERM(t *testing.T) {
	var handled atomic.Int64
	started := make(chan struct{})
	app := stream.NewApp()
	stream.Handle(app, source.Ticker(time.Millisecond), stream.Do(func(time.Time) {
		if handled.Add(1) == 1 {
			close(started)
		}
	}))
	done := make(chan error)
	go func() { done <- app.RunUntilSignal(context.Background()) }()
	<-started
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("RunUntilSignal = %v", err)
	}
}

func TestProxyReachesEveryReader(t *testing.T) {
	proxy := stream.NewProxy[int]()
	a, b := sink.Collect[int](), sink.Collect[int]()
	app := stream.NewApp()
	// Readers bound after the writer still see every message.
	stream.Handle(app, source.Slice(ints(1000)), stream.Func(func(n int) int { return n }), proxy)
	stream.Handle(app, proxy, stream.Func(func(n int) int { return n }), a)
	stream.Handle(app, stream.Filter(proxy, func(n int) bool { return n%2 == 0 }), stream.Func(func(n int) int { return n }), b)
	run(t, app)
	if !slices.Equal(a.Items(), ints(1000)) {
		t.Fatalf("reader a got %d items", a.Len())
	}
	if b.Len() != 500 {
		t.Fatalf("reader b got %d items, want 500", b.Len())
	}
}

func TestProxyChainEndsWhenItsWritersEnd(t *testing.T) {
	p1, p2 := stream.NewProxy[string](), stream.NewProxy[string]()
	out := sink.Collect[string]()
	app := stream.NewApp()
	stream.Handle(app, p2, stream.Func(strings.ToUpper), out)
	stream.Handle(app, p1, stream.Func(func(s string) string { return s + "!" }), p2)
	stream.Handle(app, source.Values("a", "b"), stream.Func(func(s string) string { return s }), p1)
	run(t, app)
	if !slices.Equal(out.Items(), []string{"A!", "B!"}) {
		t.Fatalf("got %v", out.Items())
	}
}

func TestProxyFedFromOutsideRunsUntilCancelled(t *testing.T) {
	proxy := stream.NewProxy[int]()
	got := make(chan int, 1)
	ctx, cancel := context.WithCancel(context.Background())
	app := stream.NewApp()
	stream.Handle(app, proxy, stream.Func(func(n int) int { return n }), sink.Chan(got))
	done := make(chan error)
	go func() { done <- app.Run(ctx) }()
	<-app.Ready() // the reader has subscribed: it gets what is sent now
	if err := proxy.Send(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if n := <-got; n != 7 {
		t.Fatalf("the reader got %d, want 7", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// originProxy reads a proxy through another value, as a Cache's replay reads
// the Cache.
type originProxy struct{ p *stream.Proxy[int] }

func (o originProxy) Feed(ctx context.Context, w *stream.Writer[int]) error { return o.p.Feed(ctx, w) }
func (o originProxy) Subscribe() stream.Source[int]                         { return o.p.Subscribe() }
func (o originProxy) Origin() any                                           { return o.p }

func TestOriginEndsWithTheWritersOfWhatFeedsIt(t *testing.T) {
	proxy := stream.NewProxy[int]()
	out := sink.Collect[int]()
	app := stream.NewApp()
	stream.Handle(app, originProxy{proxy}, stream.Func(func(n int) int { return n }), out)
	stream.Handle(app, source.Values(1, 2, 3), stream.Func(func(n int) int { return n }), proxy)
	run(t, app) // ends: the origin's writer ends
	if !slices.Equal(out.Items(), []int{1, 2, 3}) {
		t.Fatalf("got %v", out.Items())
	}
}

// throughSink writes to a sink through itself, as a checkpoint's
// HeartbeatSink writes to its store.
type throughSink[T any] struct{ s stream.Sink[T] }

func (w throughSink[T]) Send(ctx context.Context, v T) error { return w.s.Send(ctx, v) }
func (w throughSink[T]) Origin() any                         { return w.s }

func TestASinkThroughAnotherCountsAsIt(t *testing.T) {
	// A reader of the proxy ends once the handler writing to it through
	// throughSink has ended, as it would if it wrote to the proxy itself.
	proxy := stream.NewProxy[int]()
	out := sink.Collect[int]()
	app := stream.NewApp()
	stream.Handle(app, proxy, stream.Func(func(n int) int { return n }), out)
	stream.Handle(app, source.Values(1, 2, 3), stream.Func(func(n int) int { return n }), throughSink[int]{proxy})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Run(ctx); err != nil || ctx.Err() != nil {
		t.Fatalf("Run = %v, %v: want it to end on its own", err, ctx.Err())
	}
	if !slices.Equal(out.Items(), []int{1, 2, 3}) {
		t.Fatalf("got %v", out.Items())
	}

	// What it writes to is closed, once, whether also bound directly or not.
	for _, direct := range []bool{false, true} {
		s := &closingSink{}
		app = stream.NewApp()
		stream.Handle(app, source.Values(1), stream.Func(func(n int) int { return n }), throughSink[int]{s})
		if direct {
			stream.Handle(app, source.Values(2), stream.Func(func(n int) int { return n }), s)
		}
		run(t, app)
		if s.closed.Load() != 1 {
			t.Fatalf("bound directly too: %v; closed %d times, want once", direct, s.closed.Load())
		}
	}
}

func TestAFailedStartUnsubscribes(t *testing.T) {
	proxy := stream.NewProxy[int]()
	app := stream.NewApp()
	stream.Handle(app, proxy, stream.Do(func(int) {}))
	stream.Handle(app, stream.Tee(source.Values(1), 2)[0], stream.Do(func(int) {})) // an unread branch
	if err := app.Run(context.Background()); err == nil {
		t.Fatal("Run succeeded with an unread Tee branch")
	}
	// Nobody reads the proxy now: sending must not wait for the dead reader.
	for i := range 1000 {
		if err := proxy.Send(context.Background(), i); err != nil {
			t.Fatal(err)
		}
	}
}

// abortAwareSink records whether its app closed it after a failure.
type abortAwareSink struct {
	sink.Collector[int]
	aborted chan bool
}

func (s *abortAwareSink) Close(ctx context.Context) error {
	s.aborted <- streamio.Aborted(ctx)
	return nil
}

func TestClosersLearnWhetherTheAppFailed(t *testing.T) {
	for _, fail := range []bool{false, true} {
		s := &abortAwareSink{aborted: make(chan bool, 1)}
		app := stream.NewApp()
		stream.Handle(app, source.Values(1, 2), stream.FuncErr(func(_ context.Context, n int) (int, error) {
			if fail && n == 2 {
				return 0, errors.New("bad")
			}
			return n, nil
		}), s)
		if err := app.Run(context.Background()); (err != nil) != fail {
			t.Fatalf("Run = %v", err)
		}
		if got := <-s.aborted; got != fail {
			t.Fatalf("app failed: %v; Aborted = %v", fail, got)
		}
	}
}
