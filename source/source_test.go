package source_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func collect[T any](t *testing.T, src stream.Source[T]) []T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := stream.Collect(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSliceCanBeReadTwice(t *testing.T) {
	s := source.Slice([]int{1, 2, 3})
	for range 2 {
		if got := collect(t, s); !slices.Equal(got, []int{1, 2, 3}) {
			t.Fatalf("got %v", got)
		}
	}
}

func TestSeq(t *testing.T) {
	got := collect(t, source.Seq(slices.Values([]string{"a", "b"})))
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("got %v", got)
	}
}

func TestChanEndsWhenClosed(t *testing.T) {
	ch := make(chan int, 200)
	for i := range 200 {
		ch <- i
	}
	close(ch)
	got := collect(t, source.Chan(ch))
	if len(got) != 200 || got[199] != 199 {
		t.Fatalf("got %d items", len(got))
	}
}

func TestChanStopsWhenTheAppStops(t *testing.T) {
	ch := make(chan int) // never closed
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	app := stream.NewApp()
	stream.Handle(app, source.Chan(ch), stream.Do(func(int) {}))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestFuncEndsOnEOFAndFailsOnOtherErrors(t *testing.T) {
	n := 0
	got := collect(t, source.Func(func(context.Context) (int, error) {
		if n++; n > 3 {
			return 0, io.EOF
		}
		return n, nil
	}))
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("got %v", got)
	}

	_, err := stream.Collect(context.Background(), source.Func(func(context.Context) (int, error) {
		return 0, errors.New("refused")
	}))
	if err == nil || err.Error() != "source.Func: refused" {
		t.Fatalf("err = %v", err)
	}
}

func TestTickerLimitAndTimer(t *testing.T) {
	start := time.Now()
	ticks := collect(t, source.Ticker(time.Millisecond).Limit(3))
	if len(ticks) != 3 || !ticks[0].After(start) || !ticks[2].After(ticks[0]) {
		t.Fatalf("ticks = %v", ticks)
	}
	if got := collect(t, source.Timer(time.Millisecond)); len(got) != 1 {
		t.Fatalf("timer gave %d values", len(got))
	}
}

func ExampleSlice() {
	got, _ := stream.Collect(context.Background(), source.Slice([]string{"🏆", "📞"}))
	fmt.Println(got)
	// Output: [🏆 📞]
}

func ExampleFunc() {
	n := 0
	countdown := source.Func(func(context.Context) (int, error) {
		if n++; n > 3 {
			return 0, io.EOF
		}
		return 4 - n, nil
	})
	got, _ := stream.Collect(context.Background(), countdown)
	fmt.Println(got)
	// Output: [3 2 1]
}
