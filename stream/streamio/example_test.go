package streamio_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// A lineWriter is a sink that writes each run of outputs it is sent on
// one line, as a sink that writes to a device in blocks would: a
// BatchSink. It is also an AsyncSink and a Sink, as every BatchSink is.
type lineWriter struct{}

var _ streamio.BatchSink[string] = lineWriter{}

// Send writes s on a line of its own.
func (lineWriter) Send(_ context.Context, s string) error {
	fmt.Println(s)
	return nil
}

// SendAsync writes s at once and reports it accepted.
func (w lineWriter) SendAsync(ctx context.Context, s string, done func(error)) error {
	err := w.Send(ctx, s)
	if err == nil {
		done(nil)
	}
	return err
}

// SendBatch writes the run ss on one line and reports each accepted: with
// its own done function if it has one, else with untracked.
func (lineWriter) SendBatch(_ context.Context, ss []string, dones []func(error), untracked func(error)) error {
	fmt.Println(strings.Join(ss, " "))
	for _, done := range dones {
		if done == nil { // an untracked output
			done = untracked
		}
		done(nil)
	}
	return nil
}

// A sink that is cheaper in runs implements BatchSink: the app collects a
// handler's outputs for it and hands them over when it has BatchSize of
// them, whenever the handler's source is about to wait for input (here,
// after "c"), and when the handler ends.
func ExampleBatchSink() {
	src := stream.SourceFunc[string](func(ctx context.Context, w *stream.Writer[string]) error {
		for _, group := range [][]string{{"a", "b", "c"}, {"d", "e"}} {
			for _, s := range group {
				if err := w.Add(ctx, s); err != nil {
					return err
				}
			}
			if err := w.Flush(ctx); err != nil { // about to wait for the next group
				return err
			}
		}
		return nil
	})
	app := stream.NewApp()
	stream.Handle(app, src, stream.Func(strings.ToUpper), lineWriter{})
	if err := app.Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// A B C
	// D E
}
