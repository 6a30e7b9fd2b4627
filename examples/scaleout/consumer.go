package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slipstream-go/slipstream/codec"
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

// A report is what a consumer holds when asked: its partitions and the
// counts of their keys.
type report struct {
	Partitions []int32        `json:"partitions"`
	Counts     map[string]int `json:"counts"`
}

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

	asked := make(chan os.Signal, 1)
	signal.Notify(asked, syscall.SIGUSR1)
	defer signal.Stop(asked)
	go func() {
		for range asked {
			if err := json.NewEncoder(os.Stdout).Encode(held(counts)); err != nil {
				fmt.Fprintln(os.Stderr, "consumer: report:", err)
			}
		}
	}()
	fmt.Println("ready")
	return app.Run(ctx)
}

// held returns the report of what counts holds now.
func held(counts *state.Table[string, int]) report {
	r := report{Partitions: counts.Held(), Counts: map[string]int{}}
	for _, p := range r.Partitions {
		it, err := counts.Iter(p)
		if err != nil {
			continue // given up meanwhile: the coordinator asks again
		}
		for k, n := range it.Items() {
			r.Counts[k] += n
		}
	}
	return r
}
