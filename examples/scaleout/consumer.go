package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/examples/internal/procs"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// The environment of a consumer process.
const (
	roleEnv      = "SCALEOUT_ROLE"
	bootstrapEnv = "SCALEOUT_BOOTSTRAP"
	dirEnv       = "SCALEOUT_DIR"
)

const (
	topicName = "scaleout"
	groupID   = "scaleout"
)

// consume counts the topic's messages per key in a table whose shards are
// in dir, until SIGTERM. On SIGUSR1 it prints a report as one JSON line.
func consume(bootstrap, dir string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	input, err := kafka.NewTopic[string, string](topicName, kafka.ConfigMap{
		"bootstrap.servers":  bootstrap,
		"group.id":           groupID,
		"auto.offset.reset":  "earliest",
		"session.timeout.ms": 6000,
	}, kafka.WithLogger(quiet()))
	if err != nil {
		return err
	}
	counts, err := state.New(ctx, "counts", input, codec.StringKey(), codec.Int[int](), &state.Options{Dir: dir, Logger: quiet()})
	if err != nil {
		return err
	}
	app := stream.NewApp(stream.WithLogger(quiet()))
	stream.Handle(app, input, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
		n, err := counts.Get(m.Partition, m.Key)
		if err != nil {
			return state.Change[string, int]{}, err
		}
		return state.Put(m.Partition, m.Key, n.OrEmpty()+1), nil
	}), counts)

	defer procs.Answer(counts)()
	fmt.Println("ready")
	return app.Run(ctx)
}
