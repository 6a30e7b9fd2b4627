// Iterable: a plain Go iterator and a channel as sources, merged with
// another source into one handler.
//
// source.Seq reads any iter.Seq, such as a generator function or
// strings.FieldsSeq; source.Chan reads a channel until it is closed.
// stream.Merge reads several sources at once into one stream: the items of
// each source keep their order, and the sources interleave as their items
// come.
package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log"
	"os"
	"strings"
	"sync"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// countdown is a Go iterator, a generator: it yields n, n-1, ..., 1.
func countdown(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := n; i > 0; i-- {
			if !yield(i) {
				return
			}
		}
	}
}

// An item is a value and the name of the source it came from.
type item struct {
	from  string
	value any
}

// tag returns a function that tags values with the name of their source.
func tag[T any](name string) func(T) item {
	return func(v T) item { return item{name, v} }
}

func describe(it item) string { return fmt.Sprintf("%s: %v", it.from, it.value) }

func run(ctx context.Context, w io.Writer) error {
	// A channel that a goroutine fills and then closes. If the app stops
	// early, cancel ends the goroutine, and run waits for it.
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	emoji := make(chan string)
	wg.Go(func() {
		defer close(emoji)
		for _, e := range []string{"🏆", "📞", "🐟", "👌"} {
			select {
			case emoji <- e:
			case <-ctx.Done():
				return
			}
		}
	})

	merged := stream.Merge(
		stream.Map(source.Seq(countdown(3)), tag[int]("countdown")),
		stream.Map(source.Seq(strings.FieldsSeq("go with the flow")), tag[string]("words")),
		stream.Map(source.Chan(emoji), tag[string]("channel")),
	)

	app := stream.NewApp()
	stream.Handle(app, merged, stream.Func(describe), sink.Writer[string](w))
	return app.Run(ctx)
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}
