package onerror_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

// A price service that fails now and then: each lookup is retried, and an
// item whose price cannot be had is skipped, counted and logged, while the
// others go on.
func Example() {
	prices := map[string]string{"tea": "3.50", "coffee": "2.80"}
	calls := map[string]int{}
	lookup := func(_ context.Context, item string) (string, error) {
		calls[item]++
		if calls[item] == 1 {
			return "", errors.New("price service unavailable") // every first call fails
		}
		p, ok := prices[item]
		if !ok {
			return "", fmt.Errorf("no price for %s", item)
		}
		return item + ": " + p, nil
	}

	price := stream.FuncErr(lookup)
	price = onerror.Retry(price, onerror.Backoff{Attempts: 3, Initial: time.Millisecond})
	price = onerror.Skip(price)

	app := stream.NewApp(stream.WithLogger(slog.New(slog.DiscardHandler)))
	stream.Handle(app, source.Values("tea", "cake", "coffee"), price, sink.Print[string]())
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println("skipped:", onerror.Skipped(price), "after", calls["cake"], "attempts")
	// Output:
	// tea: 3.50
	// coffee: 2.80
	// skipped: 1 after 3 attempts
}

// Inputs a handler fails on go to a dead-letter sink with the error and
// the handler's name; a Kafka topic is one through kafka.Topic.DeadLetters.
func ExampleDeadLetter() {
	parse := stream.FuncErr(func(_ context.Context, s string) (int, error) {
		return strconv.Atoi(s)
	}).Named("parse")
	dead := sink.Collect[onerror.Failure[string]]()
	parse = onerror.DeadLetter(parse, dead)

	app := stream.NewApp(stream.WithLogger(slog.New(slog.DiscardHandler)))
	stream.Handle(app, source.Values("1", "two", "3"), parse, sink.Print[int]())
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	for _, f := range dead.Items() {
		fmt.Printf("dead letter %q from handler %s: %v\n", f.Value, f.Handler, f.Err)
	}
	// Output:
	// 1
	// 3
	// dead letter "two" from handler parse: strconv.Atoi: parsing "two": invalid syntax
}
