// Hello world: greet every emoji of a stream.
package main

import (
	"context"
	"log"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

func greet(emoji string) string { return "Hello " + emoji + "!" }

func main() {
	app := stream.NewApp()
	stream.Handle(app, source.Values("🏆", "📞", "🐟", "👌"), stream.Func(greet), sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
}
