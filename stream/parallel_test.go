package stream_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// A part is the i-th item of partition p, written by the feed-th Feed of
// its source.
type part struct{ p, i, feed int }

// A partitionedSource shares its partitions out among its concurrent Feeds
// as a Kafka topic's group does among its consumers: it expects copies
// Feeds, and once all have started (so that a serial run fails instead of
// passing), the k-th reads partitions k, k+copies, ..., each one's items in
// order. An endless source's Feeds then wait for their context, as a
// consumer polls on at the end of its partitions.
type partitionedSource struct {
	parts, items, copies int
	endless              bool
	started              func(w *stream.Writer[part]) // called as each Feed starts; may be nil

	mu    sync.Mutex
	feeds int           // Feeds that have started
	met   chan struct{} // closed once every copy's Feed has started
	ended atomic.Int32  // Feeds that have returned
}

func newPartitionedSource(parts, items, copies int) *partitionedSource {
	return &partitionedSource{parts: parts, items: items, copies: copies, met: make(chan struct{})}
}

func (s *partitionedSource) Partitioned() bool { return true }

func (s *partitionedSource) Feed(ctx context.Context, w *stream.Writer[part]) error {
	defer s.ended.Add(1)
	s.mu.Lock()
	feed := s.feeds
	if s.feeds++; s.feeds == s.copies {
		close(s.met)
	}
	s.mu.Unlock()
	if s.started != nil {
		s.started(w)
	}
	select {
	case <-s.met:
	case <-ctx.Done():
		return fmt.Errorf("%d of the %d Feeds that should run at once started", s.feedCount(), s.copies)
	}
	for p := feed; p < s.parts; p += s.copies {
		for i := range s.items {
			if err := w.Add(ctx, part{p, i, feed}); err != nil {
				return err
			}
		}
		if err := w.Flush(ctx); err != nil {
			return err
		}
	}
	if s.endless {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (s *partitionedSource) feedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.feeds
}

// A partLog records the items a handler was given, per partition.
type partLog struct {
	mu   sync.Mutex
	seen map[int][]int
	n    int
}

func (l *partLog) add(v part) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[int][]int{}
	}
	l.seen[v.p] = append(l.seen[v.p], v.i)
	l.n++
}

func (l *partLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// check fails t unless every item of parts partitions of items each was
// seen once, in order within its partition.
func (l *partLog) check(t *testing.T, parts, items int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	want := ints(items)
	for p := range parts {
		if got := l.seen[p]; !slices.Equal(got, want) {
			t.Fatalf("partition %d: handled %d items, want 0..%d in order: %v", p, len(got), items-1, got)
		}
	}
	if len(l.seen) != parts {
		t.Fatalf("handled items of %d partitions, want %d", len(l.seen), parts)
	}
}

// Four copies run at once, each with a Feed of its own, and hand each
// partition's items to the handler in order, through a fused Map.
func TestParallelHandlesEveryPartitionInOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src := newPartitionedSource(8, 500, 4)
	var log partLog
	app := stream.NewApp()
	s := stream.Map(src, func(v part) part { return v })
	stream.Handle(app, s, stream.Do(log.add).Parallel(4))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
	log.check(t, 8, 500)
	if n := src.feedCount(); n != 4 {
		t.Fatalf("the source was fed %d times, want 4", n)
	}
}

// Without Parallel, one Feed reads the source: the test above relies on a
// source that fails when fewer Feeds than it waits for meet. Here the app
// drains as soon as the first Feed starts, and that Feed then gives up.
func TestWithoutParallelOneFeedReads(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src := newPartitionedSource(8, 10, 2)
	src.started = func(*stream.Writer[part]) { cancel() }
	app := stream.NewApp()
	stream.Handle(app, src, stream.Do(func(part) {}))
	err := app.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 of the 2 Feeds") {
		t.Fatalf("Run = %v, want the source's complaint that it was fed once", err)
	}
}

// Steps that keep state keep it per copy: a Scan counts the items that
// pass it, and each copy's count is of the items its own Feed wrote.
func TestParallelScanKeepsStatePerCopy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src := newPartitionedSource(8, 100, 4)
	type counted struct {
		v part
		n int // the items the Scan has seen, this one included
	}
	counts := stream.Scan[part](src, counted{}, func(acc counted, v part) counted { return counted{v, acc.n + 1} })
	var (
		mu      sync.Mutex
		written = map[int]int{} // by Feed: the items it wrote
		last    = map[int]int{} // by Feed: the last count of its items
	)
	app := stream.NewApp()
	stream.Handle(app, counts, stream.Do(func(c counted) {
		mu.Lock()
		defer mu.Unlock()
		written[c.v.feed]++
		last[c.v.feed] = c.n
	}).Parallel(4))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(written) != 4 {
		t.Fatalf("items came from %d Feeds, want 4", len(written))
	}
	for feed, n := range written {
		if last[feed] != n {
			t.Fatalf("Feed %d wrote %d items, and the last Scan count of its items is %d: the copies share a count", feed, n, last[feed])
		}
	}
}

// Pausing the stream pauses every copy's Feed; resuming resumes them all.
func TestParallelPausesEveryCopy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src := newPartitionedSource(8, 50, 4)
	var seen atomic.Int32
	paused := make(chan struct{}) // closed once each of the 4 Feeds saw the pause
	src.started = func(w *stream.Writer[part]) {
		if streamio.Paused(w) && seen.Add(1) == 4 {
			close(paused)
		}
	}
	var log partLog
	s := stream.From[part](src)
	s.Pause()
	app := stream.NewApp()
	stream.Handle(app, s, stream.Do(log.add).Parallel(4))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()
	select {
	case <-paused:
	case err := <-errc:
		t.Fatalf("Run = %v before every Feed saw the pause", err)
	}
	if n := log.count(); n != 0 {
		t.Fatalf("handled %d items while paused", n)
	}
	s.Resume()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	log.check(t, 8, 50)
}

// One copy's error aborts the app: the other copies' Feeds, which would
// wait forever, end, and Run returns that error.
func TestParallelErrorAbortsEveryCopy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src := newPartitionedSource(8, 100, 4)
	src.endless = true
	boom := errors.New("boom")
	app := stream.NewApp()
	stream.Handle(app, src, stream.DoErr(func(_ context.Context, v part) error {
		if v.p == 5 && v.i == 10 {
			return boom
		}
		return nil
	}).Named("checker").Parallel(4), sink.Discard[struct{}]())
	err := app.Run(ctx)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "handler checker: ") {
		t.Fatalf("Run = %v, want boom from handler checker", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run returned only once the test's context ended")
	}
	if n := src.ended.Load(); n != 4 {
		t.Fatalf("%d of 4 Feeds returned", n)
	}
}

// Cancelling the app's context stops every copy's Feed and drains.
func TestParallelDrainStopsEveryCopy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src := newPartitionedSource(8, 100, 4)
	src.endless = true
	var log partLog
	runCtx, stop := context.WithCancel(ctx)
	app := stream.NewApp()
	stream.Handle(app, src, stream.Do(func(v part) {
		log.add(v)
		if log.count() == 800 {
			stop()
		}
	}).Parallel(4))
	if err := app.Run(runCtx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("Run returned only once the test's context ended")
	}
	log.check(t, 8, 100)
	if n := src.ended.Load(); n != 4 {
		t.Fatalf("%d of 4 Feeds returned", n)
	}
}

// Parallel needs a stream that each copy can read a share of: Handle
// panics, naming the handler, the stream and the reason, for any other.
func TestParallelRefusesStreamsThatCannotBeCopied(t *testing.T) {
	same := samePart
	cases := []struct {
		name   string
		stream func() stream.Source[part]
		want   string
	}{
		{"Slice", func() stream.Source[part] { return source.Values(part{}) },
			"handler samePart cannot run as 4 copies (Parallel) over source.Slice: source.Slice is not partitioned (streamio.Partitioned)"},
		{"Proxy", func() stream.Source[part] { return stream.Map(stream.NewProxy[part](), same) },
			"over Map(Proxy): Proxy is not partitioned"},
		{"Take", func() stream.Source[part] {
			return stream.Map(stream.Take[part](newPartitionedSource(1, 1, 1), 3), same)
		},
			"over Map(Take(*stream_test.partitionedSource)): Take(*stream_test.partitionedSource) counts its 3 items in one reader"},
		{"Tee", func() stream.Source[part] { return stream.Tee[part](newPartitionedSource(1, 1, 1), 2)[1] },
			"over Tee(*stream_test.partitionedSource)[1]: Tee(*stream_test.partitionedSource) feeds its branches from one reader of its source"},
		{"Merge", func() stream.Source[part] {
			return stream.Merge[part](newPartitionedSource(1, 1, 1), source.Values(part{}))
		}, ": source.Slice is not partitioned"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.stream()
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.HasPrefix(msg, "stream.Handle: ") || !strings.Contains(msg, c.want) {
					t.Fatalf("panic = %q, want one containing %q", msg, c.want)
				}
			}()
			stream.Handle(stream.NewApp(), src, stream.Func(same).Parallel(4))
		})
	}
}

// Streams of partitioned sources through stateless steps, Merge, Batch
// and MapConcurrent can be copied.
func TestParallelAcceptsPartitionedStreams(t *testing.T) {
	src := func() *partitionedSource { return newPartitionedSource(1, 1, 1) }
	merged := stream.Merge[part](src(), src())
	batched := stream.Map(stream.Batch(stream.MapConcurrent(merged, 2, func(_ context.Context, v part) (part, error) { return v, nil }), 10, time.Millisecond),
		func(vs []part) int { return len(vs) })
	app := stream.NewApp()
	stream.Handle(app, batched, stream.Do(func(int) {}).Parallel(3))
	stream.Handle(app, src(), stream.Do(func(part) {}).Parallel(1))
}

func samePart(v part) part { return v }

func TestParallelZeroPanics(t *testing.T) {
	defer func() {
		if got, want := fmt.Sprint(recover()), "stream.Handler.Parallel: n must be at least 1, got 0"; got != want {
			t.Fatalf("panic = %q, want %q", got, want)
		}
	}()
	stream.Func(strings.ToUpper).Parallel(0)
}
