package sink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func runTo[T any](t *testing.T, items []T, sinks ...stream.Sink[T]) error {
	t.Helper()
	app := stream.NewApp()
	stream.Handle(app, source.Slice(items), stream.Func(func(v T) T { return v }), sinks...)
	return app.Run(context.Background())
}

func TestWriterWritesOneLineEach(t *testing.T) {
	var buf bytes.Buffer
	if err := runTo(t, []any{1, "two", []int{3}}, stream.Sink[any](sink.Writer[any](&buf))); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "1\ntwo\n[3]\n"; got != want {
		t.Fatalf("wrote %q, want %q", got, want)
	}
}

func TestCollectChanAndDiscard(t *testing.T) {
	c := sink.Collect[int]()
	ch := make(chan int, 3)
	if err := runTo(t, []int{1, 2, 3}, c, sink.Chan(ch), sink.Discard[int]()); err != nil {
		t.Fatal(err)
	}
	close(ch)
	var fromChan []int
	for v := range ch {
		fromChan = append(fromChan, v)
	}
	if !slices.Equal(c.Items(), []int{1, 2, 3}) || !slices.Equal(fromChan, []int{1, 2, 3}) {
		t.Fatalf("collected %v, channel got %v", c.Items(), fromChan)
	}
}

func TestFuncErrorFailsTheApp(t *testing.T) {
	full := errors.New("quota exceeded")
	err := runTo(t, []int{1}, stream.Sink[int](sink.Func(func(context.Context, int) error { return full })))
	if !errors.Is(err, full) {
		t.Fatalf("err = %v", err)
	}
}

func ExamplePrint() {
	app := stream.NewApp()
	stream.Handle(app, source.Values("🏆", "📞"), stream.Func(func(s string) string { return s + "!" }), sink.Print[string]())
	_ = app.Run(context.Background())
	// Output:
	// 🏆!
	// 📞!
}

func ExampleFunc() {
	total := 0
	sum := sink.Func(func(_ context.Context, n int) error {
		total += n
		return nil
	})
	app := stream.NewApp()
	stream.Handle(app, source.Values(1, 2, 3), stream.Func(func(n int) int { return n * 10 }), sum)
	_ = app.Run(context.Background())
	fmt.Println(total)
	// Output: 60
}
