// Package source provides generic sources for streams: slices, Go iterators,
// channels, functions, tickers and timers. Each is a [stream.Source]: pass it
// to [stream.Handle] or to any combinator.
//
//	app := stream.NewApp()
//	stream.Handle(app, source.Slice([]string{"🏆", "📞"}), stream.Func(greet), sink.Print[string]())
//
// Kafka topics, the Cache's change feed and [stream.Proxy] are sources too;
// they live in their own packages.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"time"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// SliceSource is the source [Slice] returns.
type SliceSource[T any] struct{ items []T }

// Slice returns a source of the items of s, in order. Each stream made from
// it reads s from the start; s must not change while an app runs.
func Slice[T any](s []T) SliceSource[T] { return SliceSource[T]{s} }

// Values returns a source of its arguments, in order.
func Values[T any](vs ...T) SliceSource[T] { return SliceSource[T]{vs} }

// Feed writes every item, until ctx is done, in runs of [streamio.BatchSize]
// ([stream.Writer.AddAll]): ctx, and a pause, are checked between runs.
func (s SliceSource[T]) Feed(ctx context.Context, w *stream.Writer[T]) error {
	for items := range slices.Chunk(s.items, streamio.BatchSize) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.AddAll(ctx, items); err != nil {
			return err
		}
	}
	return w.Flush(ctx)
}

// String returns "source.Slice".
func (s SliceSource[T]) String() string { return "source.Slice" }

// SeqSource is the source [Seq] returns.
type SeqSource[T any] struct{ seq iter.Seq[T] }

// Seq returns a source of the values of the iterator seq, in order. Each
// value is sent as soon as seq yields it, so seq may wait between values (a
// generator that sleeps, reads a socket, ...).
func Seq[T any](seq iter.Seq[T]) SeqSource[T] {
	if seq == nil {
		panic("source.Seq: seq is nil")
	}
	return SeqSource[T]{seq}
}

// Feed writes each value of the iterator as it comes.
func (s SeqSource[T]) Feed(ctx context.Context, w *stream.Writer[T]) error {
	var err error
	for v := range s.seq {
		if err = w.Write(ctx, v); err != nil {
			break
		}
	}
	return err
}

// String returns "source.Seq".
func (s SeqSource[T]) String() string { return "source.Seq" }

// ChanSource is the source [Chan] returns.
type ChanSource[T any] struct{ ch <-chan T }

// Chan returns a source of the values received from ch, until ch is closed.
func Chan[T any](ch <-chan T) ChanSource[T] {
	if ch == nil {
		panic("source.Chan: ch is nil")
	}
	return ChanSource[T]{ch}
}

// Feed writes the values received from the channel, flushing whenever none
// is ready, until the channel is closed or ctx is done.
func (s ChanSource[T]) Feed(ctx context.Context, w *stream.Writer[T]) error {
	for {
		var v T
		var ok bool
		select {
		case v, ok = <-s.ch:
		default:
			if err := w.Flush(ctx); err != nil {
				return err
			}
			select {
			case v, ok = <-s.ch:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if !ok {
			return w.Flush(ctx)
		}
		if err := w.Add(ctx, v); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return w.Flush(ctx) // which says so, after what was added
		}
	}
}

// String returns "source.Chan".
func (s ChanSource[T]) String() string { return "source.Chan" }

// FuncSource is the source [Func] returns.
type FuncSource[T any] struct {
	next func(context.Context) (T, error)
}

// Func returns a source of the values that next returns, called again and
// again until it returns [io.EOF] (the end) or another error (which fails
// the app).
func Func[T any](next func(ctx context.Context) (T, error)) FuncSource[T] {
	if next == nil {
		panic("source.Func: next is nil")
	}
	return FuncSource[T]{next}
}

// Feed writes each value next returns as it comes.
func (s FuncSource[T]) Feed(ctx context.Context, w *stream.Writer[T]) error {
	for ctx.Err() == nil {
		v, err := s.next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("source.Func: %w", err)
		}
		if err := w.Write(ctx, v); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// String returns "source.Func".
func (s FuncSource[T]) String() string { return "source.Func" }

// TickerSource is the source [Ticker] and [Timer] return.
type TickerSource struct {
	every time.Duration
	count int // 0: no end
}

// Ticker returns a source of the time at each tick, every d, like
// [time.Ticker]: it never ends on its own. Ticks that a slow handler misses
// are dropped, as time.Ticker drops them. It panics if d <= 0.
func Ticker(d time.Duration) TickerSource {
	if d <= 0 {
		panic(fmt.Sprintf("source.Ticker: d must be positive, got %v", d))
	}
	return TickerSource{every: d}
}

// Timer returns a source of one value, the time d from when the app started.
func Timer(d time.Duration) TickerSource {
	return TickerSource{every: max(d, 1), count: 1}
}

// Limit returns a copy of the ticker source that ends after n ticks.
func (s TickerSource) Limit(n int) TickerSource {
	if n < 1 {
		panic(fmt.Sprintf("source.TickerSource.Limit: n must be at least 1, got %d", n))
	}
	s.count = n
	return s
}

// Feed writes the time of each tick.
func (s TickerSource) Feed(ctx context.Context, w *stream.Writer[time.Time]) error {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for n := 0; s.count == 0 || n < s.count; n++ {
		select {
		case now := <-t.C:
			if err := w.Write(ctx, now); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// String returns "source.Ticker".
func (s TickerSource) String() string { return "source.Ticker" }
