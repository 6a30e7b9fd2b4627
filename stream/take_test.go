package stream_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

func TestTakeOfAFiniteSource(t *testing.T) {
	if got := collect(t, stream.Take(source.Slice(ints(1000)), 3)); !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("got %v", got)
	}
	if got := collect(t, stream.Take(source.Values(1, 2), 5)); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("got %v", got)
	}
}

// Take ends an endless source, and the app with it.
func TestTakeEndsAnEndlessSource(t *testing.T) {
	ticks := collect(t, stream.Take(source.Ticker(time.Millisecond), 5))
	if len(ticks) != 5 {
		t.Fatalf("got %d ticks, want 5", len(ticks))
	}
	src := &countingSource{} // writes as fast as it can, forever
	got := collect(t, stream.Take(stream.Map(src, func(n int64) int64 { return n }), 1000))
	if len(got) != 1000 || got[999] != 999 {
		t.Fatalf("got %d items", len(got))
	}
}

func TestTakeEndsEveryMergedSource(t *testing.T) {
	a, b := source.Ticker(time.Millisecond), source.Ticker(time.Millisecond)
	if got := collect(t, stream.Take(stream.Merge(a, b), 10)); len(got) != 10 {
		t.Fatalf("got %d ticks", len(got))
	}
}

// Items after the n-th are dropped without acknowledgement: a Kafka source
// would not commit them.
func TestTakeAcknowledgesOnlyWhatItPasses(t *testing.T) {
	src := &testkit.Tracked[int]{Items: ints(500)}
	app := stream.NewApp()
	stream.Handle(app, stream.Take(src, 10), stream.Do(func(int) {}))
	if err := app.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := src.Acked(); !slices.Equal(got, ints(10)) {
		t.Fatalf("acknowledged %d items: %v", len(got), got)
	}
}

func ExampleTake() {
	first := stream.Take(source.Ticker(time.Millisecond), 3) // a ticker never ends on its own
	ticks, _ := stream.Collect(context.Background(), first)
	fmt.Println(len(ticks))
	// Output: 3
}
