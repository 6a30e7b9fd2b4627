package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/examples/internal/procs"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// The environment of an app process.
const (
	roleEnv      = "EXACTLYONCE_ROLE"
	bootstrapEnv = "EXACTLYONCE_BOOTSTRAP"
	dirEnv       = "EXACTLYONCE_DIR"
	guaranteeEnv = "EXACTLYONCE_GUARANTEE"
	dieAfterEnv  = "EXACTLYONCE_DIE_AFTER" // SIGKILL itself after counting this many messages
)

const (
	inputName  = "in"
	outputName = "out"
	groupID    = "exactlyonce"
	partitions = 6
)

// work runs the app until SIGTERM: each message of the input goes to the
// output and is counted per key in a table whose shards are in dir, in
// exactly-once mode unless exactly is false. On SIGUSR1 it prints a report
// as one JSON line. It kills itself once it has counted dieAfter messages,
// if dieAfter is positive.
func work(bootstrap, dir string, exactly bool, dieAfter int64) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	conf := kafka.ConfigMap{
		"bootstrap.servers": bootstrap,
		"group.id":          groupID,
		// A named instance rejoins its group at once after a crash, and
		// its transactional producer fences the one that crashed.
		"group.instance.id":  "worker-1",
		"auto.offset.reset":  "earliest",
		"session.timeout.ms": 6000,
	}
	var opts []kafka.Option
	if exactly {
		eo, err := kafka.NewExactlyOnce(conf, &kafka.ExactlyOnceOptions{Logger: quiet()})
		if err != nil {
			return err
		}
		defer eo.Close(context.Background()) // after the app: its topics commit as they close
		opts = append(opts, kafka.WithExactlyOnce(eo))
	}
	opts = append(opts, kafka.WithLogger(quiet()))
	input, err := kafka.NewTopic[string, string](inputName, conf, opts...)
	if err != nil {
		return err
	}
	output, err := kafka.NewTopic[string, string](outputName, conf, opts...)
	if err != nil {
		return err
	}
	counts, err := state.New(ctx, "counts", input, codec.StringKey(), codec.Int[int](), &state.Options{Dir: dir, Logger: quiet()})
	if err != nil {
		return err
	}

	app := stream.NewApp(stream.WithLogger(quiet()))
	both := stream.Tee(input, 2)
	stream.Handle(app, both[0], stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		return kafka.NewMessage(m.Key, m.Value)
	}), output)
	var handled atomic.Int64
	stream.Handle(app, both[1], stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
		if handled.Add(1) == dieAfter {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL) // a crash, at a random moment of a transaction
		}
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

// quiet returns a logger of warnings and errors only.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("pid", os.Getpid())
}
