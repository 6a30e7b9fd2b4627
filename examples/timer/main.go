// Timer: a handler triggered by a ticker source.
//
// source.Ticker yields the time at every tick, like time.Ticker; Limit makes
// it end after a number of ticks, so that the app ends by itself. Without
// Limit, a ticker runs until the app's context is cancelled: by a timeout
// (context.WithTimeout), or by Ctrl-C with App.RunUntilSignal.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// run prints a line at each of n ticks, one every d.
func run(ctx context.Context, w io.Writer, d time.Duration, n int) error {
	count := 0 // a handler gets one item at a time: no lock needed
	onTick := func(time.Time) string {
		count++
		return fmt.Sprintf("tick %d of %d", count, n)
	}

	app := stream.NewApp()
	stream.Handle(app, source.Ticker(d).Limit(n), stream.Func(onTick), sink.Writer[string](w))
	return app.Run(ctx)
}

func main() {
	if err := run(context.Background(), os.Stdout, 100*time.Millisecond, 3); err != nil {
		log.Fatal(err)
	}
}
