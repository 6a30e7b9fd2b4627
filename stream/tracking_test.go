package stream_test

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// The log of a test: sinks and acknowledgements append to it, in order.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// loggedSource is a tracked source whose acknowledgements go to a log.
func loggedSource(l *eventLog, items ...string) stream.Source[string] {
	return stream.SourceFunc[string](func(ctx context.Context, w *stream.Writer[string]) error {
		for _, v := range items {
			if err := streamio.AddTracked(ctx, w, v, streamio.AcceptorFunc(func(uint64) { l.add("ack " + v) }), 0); err != nil {
				return err
			}
		}
		return w.Flush(ctx)
	})
}

func loggedSink(l *eventLog, name string) stream.Sink[string] {
	return sink.Func(func(_ context.Context, v string) error {
		l.add(name + " " + v)
		return nil
	})
}

func runApp(t *testing.T, build func(app *stream.App)) {
	t.Helper()
	app := stream.NewApp()
	build(app)
	run(t, app)
}

func TestTrackedItemIsAcknowledgedAfterEverySink(t *testing.T) {
	var l eventLog
	runApp(t, func(app *stream.App) {
		stream.Handle(app, stream.Map(loggedSource(&l, "a", "b"), func(s string) string { return s }),
			stream.Func(func(s string) string { return s }), loggedSink(&l, "s1"), loggedSink(&l, "s2"))
	})
	want := []string{"s1 a", "s2 a", "ack a", "s1 b", "s2 b", "ack b"}
	if got := l.get(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFilteredItemIsAcknowledgedAtOnce(t *testing.T) {
	var l eventLog
	runApp(t, func(app *stream.App) {
		kept := stream.Filter(loggedSource(&l, "keep1", "drop", "keep2"), func(s string) bool { return s != "drop" })
		stream.Handle(app, kept, stream.Func(func(s string) string { return s }), loggedSink(&l, "sink"))
	})
	got := l.get()
	// "drop" is acknowledged by Filter, before the sink sees keep2.
	if i, j := slices.Index(got, "ack drop"), slices.Index(got, "sink keep2"); i < 0 || i > j {
		t.Fatalf("got %v: drop must be acknowledged before keep2 reaches the sink", got)
	}
	if !slices.Contains(got, "ack keep1") || !slices.Contains(got, "ack keep2") {
		t.Fatalf("got %v: every kept item must be acknowledged", got)
	}
}

func TestFlatMapAcknowledgesAfterEveryOutput(t *testing.T) {
	var l eventLog
	runApp(t, func(app *stream.App) {
		fm := stream.FlatMap(loggedSource(&l, "", "xy"), func(s string) iter.Seq[string] {
			return func(yield func(string) bool) {
				for _, r := range s {
					if !yield(string(r)) {
						return
					}
				}
			}
		})
		stream.Handle(app, fm, stream.Func(func(s string) string { return s }), loggedSink(&l, "sink"))
	})
	want := []string{"ack ", "sink x", "sink y", "ack xy"}
	if got := l.get(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestTeeAcknowledgesAfterEveryBranch(t *testing.T) {
	var l eventLog
	fastDelivered := make(chan struct{})
	runApp(t, func(app *stream.App) {
		br := stream.Tee(loggedSource(&l, "a"), 2)
		fast := sink.Func(func(_ context.Context, v string) error {
			l.add("fast " + v)
			close(fastDelivered)
			return nil
		})
		stream.Handle(app, br[0], stream.Func(func(s string) string { return s }), fast)
		stream.Handle(app, br[1], stream.Func(func(s string) string {
			<-fastDelivered // the slow branch delivers after the fast one
			if slices.Contains(l.get(), "ack a") {
				t.Error("acknowledged before the slow branch delivered")
			}
			return s
		}), loggedSink(&l, "slow"))
	})
	want := []string{"fast a", "slow a", "ack a"}
	if got := l.get(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestBatchAcknowledgesItsItemsOnceDelivered(t *testing.T) {
	var l eventLog
	runApp(t, func(app *stream.App) {
		b := stream.Batch(loggedSource(&l, "a", "b", "c"), 2, 0)
		stream.Handle(app, b, stream.Func(func(b []string) string { return b[0] + b[len(b)-1] }), loggedSink(&l, "sink"))
	})
	want := []string{"sink ab", "ack a", "ack b", "sink cc", "ack c"}
	if got := l.get(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestMergePassesAcknowledgementsThrough(t *testing.T) {
	var l eventLog
	runApp(t, func(app *stream.App) {
		m := stream.Merge(loggedSource(&l, "a"), loggedSource(&l, "b"))
		stream.Handle(app, m, stream.Func(func(s string) string { return s }), loggedSink(&l, "sink"))
	})
	got := l.get()
	for _, v := range []string{"a", "b"} {
		if i, j := slices.Index(got, "sink "+v), slices.Index(got, "ack "+v); i < 0 || j < i {
			t.Fatalf("got %v: %s acknowledged before delivery", got, v)
		}
	}
}

// asyncSink accepts outputs when the test says so, like a Kafka producer on
// its delivery report.
type asyncSink struct {
	mu      sync.Mutex
	pending []func(error)
	taken   chan struct{}
}

func (s *asyncSink) Send(context.Context, string) error { panic("Send called on an AsyncSink") }

func (s *asyncSink) SendAsync(_ context.Context, _ string, done func(error)) error {
	s.mu.Lock()
	s.pending = append(s.pending, done)
	s.mu.Unlock()
	s.taken <- struct{}{}
	return nil
}

func (s *asyncSink) report(err error) {
	s.mu.Lock()
	done := s.pending[0]
	s.pending = s.pending[1:]
	s.mu.Unlock()
	done(err)
}

func TestAsyncSinkAcknowledgesOnItsReport(t *testing.T) {
	var l eventLog
	s := &asyncSink{taken: make(chan struct{}, 10)}
	app := stream.NewApp()
	stream.Handle(app, loggedSource(&l, "a", "b"), stream.Func(func(s string) string { return s }), s)
	done := make(chan error)
	go func() { done <- app.Run(context.Background()) }()
	<-s.taken
	<-s.taken
	if got := l.get(); len(got) != 0 {
		t.Fatalf("acknowledged %v before the sink reported", got)
	}
	s.report(nil)
	s.report(nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := l.get(); !slices.Equal(got, []string{"ack a", "ack b"}) {
		t.Fatalf("got %v", got)
	}
}

func TestAsyncSinkFailureFailsTheAppAndAcknowledgesNothing(t *testing.T) {
	var l eventLog
	s := &asyncSink{taken: make(chan struct{}, 10)}
	app := stream.NewApp()
	stream.Handle(app, loggedSource(&l, "a"), stream.Func(func(s string) string { return s }), s)
	done := make(chan error)
	go func() { done <- app.Run(context.Background()) }()
	<-s.taken
	s.report(errors.New("broker down"))
	if err := <-done; err == nil || err.Error() != "sink *stream_test.asyncSink: broker down" {
		t.Fatalf("Run = %v", err)
	}
	if got := l.get(); len(got) != 0 {
		t.Fatalf("acknowledged %v", got)
	}
}

func TestFailedItemIsNotAcknowledged(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	app := stream.NewApp()
	stream.Handle(app, src, stream.FuncErr(func(_ context.Context, n int) (int, error) {
		if n == 2 {
			return 0, errors.New("bad")
		}
		return n, nil
	}), sink.Discard[int]())
	if err := app.Run(context.Background()); err == nil {
		t.Fatal("Run returned nil")
	}
	if got := src.Acked(); !slices.Equal(got, []int{1}) {
		t.Fatalf("acked %v, want [1]", got)
	}
}

func TestProxyCarriesAcknowledgements(t *testing.T) {
	var l eventLog
	proxy := stream.NewProxy[string]()
	runApp(t, func(app *stream.App) {
		stream.Handle(app, loggedSource(&l, "a"), stream.Func(func(s string) string { return s }), proxy)
		stream.Handle(app, proxy, stream.Func(func(s string) string { return s }), loggedSink(&l, "r1"))
		stream.Handle(app, proxy, stream.Func(func(s string) string { return s }), loggedSink(&l, "r2"))
	})
	got := l.get()
	if got[len(got)-1] != "ack a" || len(got) != 3 {
		t.Fatalf("got %v: the item is acknowledged after both readers", got)
	}
}

// seqAcceptor records the numbers it is told, and those told before sunk
// held them.
type seqAcceptor struct {
	sunk  sync.Map
	mu    sync.Mutex
	seqs  []uint64
	early []uint64
}

func (a *seqAcceptor) Accept(seq uint64) {
	_, ok := a.sunk.Load(seq)
	a.mu.Lock()
	a.seqs = append(a.seqs, seq)
	if !ok {
		a.early = append(a.early, seq)
	}
	a.mu.Unlock()
}

// TestAddTrackedSeqTellsEachNumberOnceAccepted writes more items than one
// slab of tokens holds, numbered, through a batch (accepted on another
// goroutine): each number must be told once, after its item reached the
// sink.
func TestAddTrackedSeqTellsEachNumberOnceAccepted(t *testing.T) {
	const n = 200
	var a seqAcceptor
	src := stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for i := range n {
			if err := streamio.AddTracked(ctx, w, i, &a, uint64(1000+i)); err != nil {
				return err
			}
		}
		return w.Flush(ctx)
	})
	runApp(t, func(app *stream.App) {
		stream.Handle(app, stream.Batch(src, 7, 0), stream.Func(func(b []int) []int { return b }),
			sink.Func(func(_ context.Context, b []int) error {
				for _, v := range b {
					a.sunk.Store(uint64(1000+v), true)
				}
				return nil
			}))
	})
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.seqs) != n {
		t.Fatalf("told %d numbers, want %d: %v", len(a.seqs), n, a.seqs)
	}
	if len(a.early) > 0 {
		t.Fatalf("numbers told before their items reached the sink: %v", a.early)
	}
	slices.Sort(a.seqs)
	for i, seq := range a.seqs {
		if seq != uint64(1000+i) {
			t.Fatalf("numbers told: %v, want 1000 to %d once each", a.seqs, 1000+n-1)
		}
	}
}

// mixedSink accepts every other output at once and the rest later, from a
// goroutine of its own, so that a writer's tokens are accepted both before
// and after it writes the next item.
type mixedSink struct {
	later chan func(error)
	sent  int
}

func (s *mixedSink) Send(context.Context, int) error { panic("Send called on an AsyncSink") }

func (s *mixedSink) SendAsync(_ context.Context, _ int, done func(error)) error {
	s.sent++
	if s.sent%2 == 0 {
		done(nil)
		return nil
	}
	s.later <- done
	return nil
}

// TestTrackedItemsAcceptedLateOrAtOnceAreEachToldOnce writes numbered
// items to a sink that accepts some at once and some later, on another
// goroutine: each number must be told exactly once, whatever becomes of
// the token of an item accepted at once.
func TestTrackedItemsAcceptedLateOrAtOnceAreEachToldOnce(t *testing.T) {
	const n = 2000
	var a seqAcceptor
	s := &mixedSink{later: make(chan func(error), 16)}
	var accepting sync.WaitGroup
	accepting.Go(func() {
		for done := range s.later {
			done(nil)
		}
	})
	src := stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for i := range n {
			if err := streamio.AddTracked(ctx, w, i, &a, uint64(i)); err != nil {
				return err
			}
		}
		return w.Flush(ctx)
	})
	runApp(t, func(app *stream.App) {
		stream.Handle(app, src, stream.Func(func(v int) int {
			a.sunk.Store(uint64(v), true)
			return v
		}), stream.Sink[int](s))
	})
	close(s.later)
	accepting.Wait()
	a.mu.Lock()
	defer a.mu.Unlock()
	slices.Sort(a.seqs)
	if distinct := len(slices.Compact(slices.Clone(a.seqs))); len(a.seqs) != n || distinct != n {
		t.Fatalf("told %d numbers, %d of them different; want each of %d once", len(a.seqs), distinct, n)
	}
	if len(a.early) > 0 {
		t.Fatalf("numbers told before their items reached the sink: %v", a.early)
	}
}

// oneAtATime is a source of 0 to n-1, tracked, that writes each item,
// flushes, and waits for it to be accepted before it writes the next.
func oneAtATime(n int) stream.Source[int] {
	return stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for i := range n {
			accepted := make(chan struct{})
			if err := streamio.AddTracked(ctx, w, i, streamio.AcceptorFunc(func(uint64) { close(accepted) }), 0); err != nil {
				return err
			}
			if err := w.Flush(ctx); err != nil {
				return err
			}
			select {
			case <-accepted:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
}

// batchSink is a BatchSink that records the runs it is sent, accepts each
// output at once, and refuses runs once refuse is set.
type batchSink struct {
	mu     sync.Mutex
	runs   [][]int
	async  int // outputs sent with SendAsync
	refuse error
}

func (s *batchSink) Send(context.Context, int) error { panic("Send called on a BatchSink") }

func (s *batchSink) SendAsync(_ context.Context, _ int, done func(error)) error {
	s.mu.Lock()
	s.async++
	s.mu.Unlock()
	done(nil)
	return nil
}

func (s *batchSink) SendBatch(_ context.Context, vs []int, dones []func(error), untracked func(error)) error {
	s.mu.Lock()
	if s.refuse != nil {
		s.mu.Unlock()
		return s.refuse
	}
	s.runs = append(s.runs, slices.Clone(vs))
	s.mu.Unlock()
	for _, done := range dones {
		if done == nil {
			done = untracked
		}
		done(nil)
	}
	return nil
}

// sent returns the runs sent so far and how many outputs went by
// SendAsync.
func (s *batchSink) sent() ([][]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.runs), s.async
}

// TestBatchSinkIsSentToWhenTheSourceWaits writes one tracked item at a
// time and waits for it to be accepted before writing the next: that only
// ends if the app hands the BatchSink what it collected whenever the source
// is about to wait, as Writer.Write says it does.
func TestBatchSinkIsSentToWhenTheSourceWaits(t *testing.T) {
	const n = 5
	s := &batchSink{}
	src := oneAtATime(n)
	runApp(t, func(app *stream.App) {
		stream.Handle(app, src, stream.Func(func(v int) int { return v }), stream.Sink[int](s))
	})
	runs, async := s.sent()
	if async != 0 || !slices.Equal(slices.Concat(runs...), []int{0, 1, 2, 3, 4}) {
		t.Fatalf("sent runs %v and %d outputs with SendAsync, want 0 to 4 in runs", runs, async)
	}
}

// TestBatchSinkGetsRunsInOrder: outputs go to a BatchSink in order, in runs
// of BatchSize while the source has items ready, the rest when it waits.
func TestBatchSinkGetsRunsInOrder(t *testing.T) {
	n := 2*streamio.BatchSize + 10
	s := &batchSink{}
	runApp(t, func(app *stream.App) {
		stream.Handle(app, source.Slice(ints(n)), stream.Func(func(v int) int { return v }), stream.Sink[int](s))
	})
	runs, _ := s.sent()
	var sizes []int
	for _, r := range runs {
		sizes = append(sizes, len(r))
	}
	if !slices.Equal(sizes, []int{streamio.BatchSize, streamio.BatchSize, 10}) || !slices.Equal(slices.Concat(runs...), ints(n)) {
		t.Fatalf("sent runs of %v: %v; want %d, %d, 10 of 0 to %d in order", sizes, runs, streamio.BatchSize, streamio.BatchSize, n-1)
	}
}

// TestBatchSinkRefusalFailsTheApp: a BatchSink that refuses a run fails the
// app with its error, naming the sink, and the run's tracked inputs are
// never acknowledged.
func TestBatchSinkRefusalFailsTheApp(t *testing.T) {
	refused := errors.New("disk full")
	s := &batchSink{refuse: refused}
	var l eventLog
	app := stream.NewApp()
	stream.Handle(app, loggedSource(&l, "a", "b"), stream.Func(func(v string) int { return len(v) }), stream.Sink[int](s))
	err := app.Run(testkit.Context(t, 10*time.Second))
	if !errors.Is(err, refused) || !strings.Contains(err.Error(), "sink ") {
		t.Fatalf("app returned %v, want the sink's error, naming the sink", err)
	}
	for _, e := range l.get() {
		if strings.HasPrefix(e, "ack") {
			t.Fatalf("events %v: an input whose output was refused was acknowledged", l.get())
		}
	}
}

// TestBatchSinkIsSentToWhenTheHandlerEnds: a source that ends without
// flushing still has its last outputs handed on, and the app waits for
// them to be accepted.
func TestBatchSinkIsSentToWhenTheHandlerEnds(t *testing.T) {
	var l eventLog
	s := &batchSink{}
	src := stream.SourceFunc[string](func(ctx context.Context, w *stream.Writer[string]) error {
		for _, v := range []string{"a", "b"} {
			if err := streamio.AddTracked(ctx, w, v, streamio.AcceptorFunc(func(uint64) { l.add("ack " + v) }), 0); err != nil {
				return err
			}
		}
		return nil // no Flush
	})
	runApp(t, func(app *stream.App) {
		stream.Handle(app, src, stream.Func(func(v string) int { return len(v) }), stream.Sink[int](s))
	})
	if got := l.get(); !slices.Equal(got, []string{"ack a", "ack b"}) {
		t.Fatalf("acknowledged %v, want both", got)
	}
}

// discarding is an Acceptor that can be told to discard item numbers.
type discarding struct {
	seqAcceptor
	discarded sync.Map // uint64 → true
}

func (d *discarding) discard(seq uint64) { d.discarded.Store(seq, true) }

func (d *discarding) Discarded(seq uint64) bool {
	_, ok := d.discarded.Load(seq)
	return ok
}

// TestDiscardedItemIsDroppedAfterThePause writes a numbered item while its
// stream is paused, discards it during the pause, and resumes: the item
// must not reach the handler, nor be told accepted, and the next one must.
func TestDiscardedItemIsDroppedAfterThePause(t *testing.T) {
	d := &discarding{}
	adding := make(chan struct{})
	s := stream.From(stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		close(adding)
		for _, v := range []int{1, 2} {
			if err := streamio.AddTracked(ctx, w, v, d, uint64(v)); err != nil {
				return err
			}
		}
		return w.Flush(ctx)
	}))
	s.Pause()
	var handled []int
	app := stream.NewApp()
	stream.Handle(app, s, stream.Do(func(v int) { handled = append(handled, v) }))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	<-adding // the source is writing item 1, held by the pause
	d.discard(1)
	s.Resume()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(handled, []int{2}) {
		t.Fatalf("handled %v, want [2]", handled)
	}
	d.seqAcceptor.mu.Lock()
	defer d.seqAcceptor.mu.Unlock()
	if !slices.Equal(d.seqs, []uint64{2}) {
		t.Fatalf("told accepted %v, want [2]", d.seqs)
	}
}

// TestBatchSinkAfterMapConcurrentIsSentToWhenTheSourceWaits: as
// TestBatchSinkIsSentToWhenTheSourceWaits, with MapConcurrent between the
// source and the handler, whose results come from goroutines of its own.
func TestBatchSinkAfterMapConcurrentIsSentToWhenTheSourceWaits(t *testing.T) {
	const n = 5
	s := &batchSink{}
	src := oneAtATime(n)
	double := stream.MapConcurrent(src, 2, func(_ context.Context, v int) (int, error) { return 2 * v, nil })
	runApp(t, func(app *stream.App) {
		stream.Handle(app, double, stream.Func(func(v int) int { return v }), stream.Sink[int](s))
	})
	if runs, _ := s.sent(); !slices.Equal(slices.Concat(runs...), []int{0, 2, 4, 6, 8}) {
		t.Fatalf("sent runs %v, want 0 to 8 doubled", runs)
	}
}

// signallingBatchSink is a batchSink that signals each run it is sent.
type signallingBatchSink struct {
	batchSink
	signal chan struct{}
}

func (s *signallingBatchSink) SendBatch(ctx context.Context, vs []int, dones []func(error), untracked func(error)) error {
	err := s.batchSink.SendBatch(ctx, vs, dones, untracked)
	s.signal <- struct{}{}
	return err
}

// TestBatchSinkIsSentToBeforeAPause: outputs collected for a BatchSink go
// out when the source's next Add meets a pause, not after the resume, so
// that they do not wait out the pause (nor their inputs' commits).
func TestBatchSinkIsSentToBeforeAPause(t *testing.T) {
	s := &signallingBatchSink{signal: make(chan struct{}, 1)}
	var in stream.Stream[int]
	in = stream.From(stream.SourceFunc[int](func(ctx context.Context, w *stream.Writer[int]) error {
		for i := range 3 {
			if err := w.Add(ctx, i); err != nil {
				return err
			}
		}
		in.Pause() // a checkpoint would, from another goroutine
		if err := w.Add(ctx, 3); err != nil {
			return err
		}
		return w.Flush(ctx)
	}))
	app := stream.NewApp()
	stream.Handle(app, in, stream.Func(func(v int) int { return v }), stream.Sink[int](s))
	ctx := testkit.Context(t, 10*time.Second)
	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()
	select {
	case <-s.signal:
	case <-ctx.Done():
		t.Fatal("the outputs made before the pause waited for the resume")
	}
	if runs, _ := s.sent(); !slices.Equal(slices.Concat(runs...), []int{0, 1, 2}) {
		t.Fatalf("sent %v during the pause, want 0, 1, 2", runs)
	}
	in.Resume()
	<-s.signal
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if runs, _ := s.sent(); !slices.Equal(slices.Concat(runs...), []int{0, 1, 2, 3}) {
		t.Fatalf("sent %v, want 0 to 3", runs)
	}
}
