// Yield: a handler that yields zero or more outputs for each input.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

func main() {
	numbers := source.Values(0, 1, 2, 3, 4)

	handler := func(n int, yield func(string)) {
		if n == 0 {
			yield(fmt.Sprintf("zero: %d", n))
		}
		if n%2 == 0 {
			yield(fmt.Sprintf("even: %d", n))
		}
	}

	app := stream.NewApp()
	stream.Handle(app, numbers, stream.Yield(handler), sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
}
