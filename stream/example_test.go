package stream_test

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// The original's hello world: a handler bound to a source and a sink.
func Example() {
	greet := func(emoji string) string { return "Hello " + emoji + "!" }

	app := stream.NewApp()
	stream.Handle(app, source.Values("🏆", "📞", "🐟", "👌"), stream.Func(greet), sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Hello 🏆!
	// Hello 📞!
	// Hello 🐟!
	// Hello 👌!
}

// A handler that yields zero or more outputs for each input, the seed page's
// Yield feature.
func Example_yield() {
	handler := func(n int, yield func(string)) {
		if n == 0 {
			yield(fmt.Sprintf("zero: %d", n))
		}
		if n%2 == 0 {
			yield(fmt.Sprintf("even: %d", n))
		}
	}

	app := stream.NewApp()
	stream.Handle(app, source.Values(0, 1, 2, 3, 4), stream.Yield(handler), sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// zero: 0
	// even: 0
	// even: 2
	// even: 4
}

// A Proxy passes messages from one handler to another, the seed page's Proxy
// feature. The app ends once the messages are handled: the proxy ends when
// the handler writing to it does.
func Example_proxy() {
	proxy := stream.NewProxy[string]()

	app := stream.NewApp()
	stream.Handle(app, source.Values("🏆", "📞", "🐟", "👌"), stream.Yield(func(emoji string, yield func(string)) {
		yield(fmt.Sprintf("Proxied %s!", emoji))
	}), proxy)
	stream.Handle(app, proxy, stream.Yield(func(msg string, yield func(string)) {
		yield(msg)
	}), sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Proxied 🏆!
	// Proxied 📞!
	// Proxied 🐟!
	// Proxied 👌!
}

// Code outside an app sends to a Proxy that the app's handlers read: what
// it sends once the app is Ready reaches every one of them.
func ExampleApp_Ready() {
	proxy := stream.NewProxy[string]()
	printed := make(chan string)

	app := stream.NewApp()
	stream.Handle(app, proxy, stream.Func(func(emoji string) string { return "Received " + emoji }), sink.Chan(printed))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()

	select {
	case <-app.Ready():
	case err := <-ran: // Run failed before it started the app
		fmt.Println(err)
		return
	}
	for _, emoji := range []string{"🏆", "📞"} {
		if err := proxy.Send(ctx, emoji); err != nil {
			fmt.Println(err)
		}
		fmt.Println(<-printed)
	}
	stop()
	if err := <-ran; err != nil {
		fmt.Println(err)
	}
	// Output:
	// Received 🏆
	// Received 📞
}

func ExampleMap() {
	lengths := stream.Map(source.Values("a", "bb", "ccc"), func(s string) int { return len(s) })
	got, err := stream.Collect(context.Background(), lengths)
	fmt.Println(got, err)
	// Output: [1 2 3] <nil>
}

func ExampleFilter() {
	evens := stream.Filter(source.Values(1, 2, 3, 4, 5, 6), func(n int) bool { return n%2 == 0 })
	got, _ := stream.Collect(context.Background(), evens)
	fmt.Println(got)
	// Output: [2 4 6]
}

func ExampleFlatMap() {
	words := stream.FlatMap(source.Values("to be", "or not"), func(line string) iter.Seq[string] {
		return strings.FieldsSeq(line)
	})
	got, _ := stream.Collect(context.Background(), words)
	fmt.Println(got)
	// Output: [to be or not]
}

// Running totals, one of the original cookbook's pipes.
func ExampleScan() {
	totals := stream.Scan(source.Values(1, 2, 3, 4), 0, func(sum, n int) int { return sum + n })
	got, _ := stream.Collect(context.Background(), totals)
	fmt.Println(got)
	// Output: [1 3 6 10]
}

// Pairs of consecutive items, one of the original cookbook's pipes.
func ExamplePairwise() {
	pairs := stream.Pairwise(source.Values("🏆", "📞", "🐟"))
	got, _ := stream.Collect(context.Background(), pairs)
	fmt.Println(got)
	// Output: [[🏆 📞] [📞 🐟]]
}

func ExampleBatch() {
	batches := stream.Batch(source.Values(1, 2, 3, 4, 5), 2, 0)
	got, _ := stream.Collect(context.Background(), batches)
	fmt.Println(got)
	// Output: [[1 2] [3 4] [5]]
}

// Tee splits one stream in two; each branch gets every item.
func ExampleTee() {
	branches := stream.Tee(source.Values(1, 2, 3), 2)
	squares, cubes := sink.Collect[int](), sink.Collect[int]()

	app := stream.NewApp()
	stream.Handle(app, branches[0], stream.Func(func(n int) int { return n * n }), squares)
	stream.Handle(app, branches[1], stream.Func(func(n int) int { return n * n * n }), cubes)
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(squares.Items(), cubes.Items())
	// Output: [1 4 9] [1 8 27]
}

// One handler bound to two sources: merge them.
func ExampleMerge() {
	out := sink.Collect[string]()
	app := stream.NewApp()
	stream.Handle(app, stream.Merge(source.Values("a"), source.Values("b")), stream.Func(strings.ToUpper), out)
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(out.Len())
	// Output: 2
}

func ExampleMapConcurrent() {
	fetch := func(_ context.Context, id int) (string, error) {
		return fmt.Sprintf("page %d", id), nil // a network call in real life
	}
	pages := stream.MapConcurrent(source.Values(1, 2, 3), 8, fetch)
	got, _ := stream.Collect(context.Background(), pages)
	fmt.Println(got)
	// Output: [page 1 page 2 page 3]
}

// Errors name the handler that failed.
func ExampleHandler_Named() {
	parse := func(_ context.Context, s string) (int, error) {
		var n int
		_, err := fmt.Sscan(s, &n)
		return n, err
	}
	app := stream.NewApp()
	stream.Handle(app, source.Values("1", "x"), stream.FuncErr(parse).Named("parse"), sink.Discard[int]())
	fmt.Println(app.Run(context.Background()))
	// Output: handler parse: expected integer
}

// A source that reads several items at once, here lines from a reader,
// hands them on in a run with AddAll, then flushes before it reads again.
func ExampleWriter_AddAll() {
	lines := bufio.NewScanner(strings.NewReader("a\nb\nc\n"))
	src := stream.SourceFunc[string](func(ctx context.Context, w *stream.Writer[string]) error {
		var run []string
		for lines.Scan() {
			run = append(run, lines.Text())
		}
		if err := w.AddAll(ctx, run); err != nil {
			return err
		}
		return w.Flush(ctx)
	})
	app := stream.NewApp()
	stream.Handle(app, src, stream.Func(strings.ToUpper), sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// A
	// B
	// C
}
