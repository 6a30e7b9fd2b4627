// Pipe: pipes applied to a stream before a handler, pairwise and running
// totals.
//
// A pipe is a function from stream to stream. The library has pipes of its
// own, such as stream.Pairwise (each item with the one before it) and
// stream.Scan (a running fold); a pipe of your own is a function that
// returns a stream made with them.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// runningTotal is a pipe: the sum of the items so far, at each item.
func runningTotal(s stream.Source[int]) stream.Stream[int] {
	return stream.Scan(s, 0, func(total, n int) int { return total + n })
}

func showPair(p [2]int) string { return fmt.Sprintf("%d → %d", p[0], p[1]) }

func showTotal(total int) string { return fmt.Sprintf("total %d", total) }

func run(ctx context.Context, w io.Writer) error {
	numbers := source.Values(3, 1, 4, 1, 5)

	// The two handlers run concurrently: each writes to its own buffer,
	// printed once the app is done.
	var pairs, totals strings.Builder
	app := stream.NewApp()
	stream.Handle(app, stream.Pairwise(numbers), stream.Func(showPair), sink.Writer[string](&pairs))
	stream.Handle(app, runningTotal(numbers), stream.Func(showTotal), sink.Writer[string](&totals))
	if err := app.Run(ctx); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "pairwise:\n%srunning totals:\n%s", &pairs, &totals)
	return err
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}
