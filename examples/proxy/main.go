// Proxy: passing messages between handlers.
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
	proxy := stream.NewProxy[string]()
	messages := source.Values("🏆", "📞", "🐟", "👌")

	app := stream.NewApp()
	stream.Handle(app, messages, stream.Yield(func(emoji string, yield func(string)) {
		yield(fmt.Sprintf("Proxied %s!", emoji))
	}), proxy)
	stream.Handle(app, proxy, stream.Yield(func(msg string, yield func(string)) {
		yield(msg)
	}), sink.Print[string]())

	if err := app.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
}
