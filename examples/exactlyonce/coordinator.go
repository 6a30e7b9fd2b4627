package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/slipstream-go/slipstream/examples/internal/procs"
	"github.com/slipstream-go/slipstream/kafka"
)

type config struct {
	Messages, Kills int
	AtLeastOnce     bool
	Keys            int           // distinct keys; default 12
	Timeout         time.Duration // for the whole run; default 10 minutes
	Out             io.Writer
}

// A result is what the output topic and the app's table hold, against
// what was sent.
type result struct {
	Sent, Lost, Duplicated int
	CountsExact            bool
}

func coordinate(cfg config) error {
	cfg.Keys = cmp.Or(cfg.Keys, 12)
	ctx, cancel := context.WithTimeout(context.Background(), cmp.Or(cfg.Timeout, 10*time.Minute))
	defer cancel()
	res, err := run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "sent %d, lost %d, duplicated %d, counts exact: %t\n", res.Sent, res.Lost, res.Duplicated, res.CountsExact)
	return nil
}

// run starts the broker, sends every message, runs the app and kills it at
// cfg.Kills moments while it works, runs it to the end, and checks what it
// wrote.
func run(ctx context.Context, cfg config) (result, error) {
	dir, err := os.MkdirTemp("", "exactlyonce-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	broker, addr, err := procs.StartBroker(ctx, dir, fmt.Sprintf("%s:%d", inputName, partitions), fmt.Sprintf("%s:%d", outputName, partitions))
	if err != nil {
		return result{}, err
	}
	defer broker.Stop()
	conf := kafka.ConfigMap{"bootstrap.servers": addr, "group.id": groupID}
	input, err := kafka.NewTopic[string, string](inputName, conf, kafka.WithLogger(quiet()))
	if err != nil {
		return result{}, err
	}
	defer input.Close(ctx)
	if err := send(ctx, input, cfg); err != nil {
		return result{}, err
	}
	mode := "exactly-once"
	if cfg.AtLeastOnce {
		mode = "at-least-once"
	}
	fmt.Fprintf(cfg.Out, "broker at %s; sent %d messages; the app runs %s\n", addr, cfg.Messages, mode)

	start := func(env ...string) (*procs.Process, error) {
		return procs.Self(ctx, append(env, roleEnv+"=app", bootstrapEnv+"="+addr, dirEnv+"="+filepath.Join(dir, "app"), guaranteeEnv+"="+mode)...)
	}
	for i := range cfg.Kills {
		if err := crash(ctx, cfg, i, start, input); err != nil {
			return result{}, err
		}
	}
	app, err := start()
	if err != nil {
		return result{}, err
	}
	defer app.Stop()
	if err := procs.WaitCommitted(ctx, input, int64(cfg.Messages)); err != nil {
		return result{}, err
	}
	report, err := gather(ctx, app)
	if err != nil {
		return result{}, err
	}
	if err := app.Stop(); err != nil {
		return result{}, fmt.Errorf("the app's last run: %w", err)
	}
	fmt.Fprintln(cfg.Out, "the app's last run handled the rest and stopped")
	return check(ctx, input, cfg, report)
}

// crash runs the app and has it killed with SIGKILL at a random moment:
// every third time from outside, at most 200 ms after it started (while it
// joins its group, restores its table or starts to work); otherwise by
// itself, once it has counted a random number of messages (with outputs,
// changes and offsets at any stage of their transaction).
func crash(ctx context.Context, cfg config, i int, start func(env ...string) (*procs.Process, error), input *kafka.Topic[string, string]) error {
	var how string
	if i%3 == 1 {
		app, err := start()
		if err != nil {
			return err
		}
		wait := time.Duration(rand.Int64N(int64(200 * time.Millisecond)))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		if err := app.Kill(); err != nil {
			return err
		}
		how = fmt.Sprintf("%v after it started", wait.Round(time.Millisecond))
	} else {
		n := 1 + rand.IntN(max(1, cfg.Messages/(cfg.Kills+1)))
		app, err := start(fmt.Sprint(dieAfterEnv, "=", n))
		if err != nil {
			return err
		}
		if err := app.Wait(); err == nil {
			return fmt.Errorf("the app ended by itself without being killed")
		}
		how = fmt.Sprintf("by itself, after counting %d messages", n)
	}
	committed, err := procs.Committed(ctx, input)
	if err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "kill %d (SIGKILL) %s; %d messages committed\n", i+1, how, committed)
	return nil
}

// key returns the key of message i.
func key(cfg config, i int) string { return fmt.Sprintf("key-%02d", i%cfg.Keys) }

// send sends cfg.Messages keyed messages, valued "0", "1", ...
func send(ctx context.Context, topic *kafka.Topic[string, string], cfg config) error {
	errs := make(chan error, cfg.Messages)
	for i := range cfg.Messages {
		if err := topic.SendAsync(ctx, kafka.NewMessage(key(cfg, i), fmt.Sprint(i)), func(err error) { errs <- err }); err != nil {
			return err
		}
	}
	for range cfg.Messages {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// gather asks the app for its counts until its table holds every
// partition.
func gather(ctx context.Context, app *procs.Process) (procs.Report, error) {
	for {
		r, err := procs.Ask(ctx, app)
		if err != nil || len(r.Partitions) == partitions {
			return r, err
		}
		select { // still restoring
		case <-ctx.Done():
			return r, context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// check reads the output topic as a read_committed reader (see
// kafka.Topic.ReadPartition) and compares it, and the app's counts, with
// what was sent.
func check(ctx context.Context, input *kafka.Topic[string, string], cfg config, report procs.Report) (result, error) {
	output, err := kafka.NewTopicLike[string, string](outputName, input, kafka.WithLogger(quiet()))
	if err != nil {
		return result{}, err
	}
	defer output.Close(ctx)
	seen := make([]int, cfg.Messages)
	for p := range int32(partitions) {
		_, err := output.ReadPartition(ctx, p, 0, func(m kafka.Message[string, string]) error {
			var i int
			if _, err := fmt.Sscan(m.Value, &i); err != nil || i < 0 || i >= cfg.Messages {
				return fmt.Errorf("output %q at partition %d offset %d: not a message sent", m.Value, m.Partition, m.Offset)
			}
			seen[i]++
			return nil
		})
		if err != nil {
			return result{}, err
		}
	}
	res := result{Sent: cfg.Messages, CountsExact: true}
	for _, n := range seen {
		if n == 0 {
			res.Lost++
		}
		res.Duplicated += max(0, n-1)
	}
	want := map[string]int{}
	for i := range cfg.Messages {
		want[key(cfg, i)]++
	}
	for k, n := range want {
		if report.Counts[k] != n {
			res.CountsExact = false
			fmt.Fprintf(cfg.Out, "count of %s: %d, sent %d\n", k, report.Counts[k], n)
		}
	}
	return res, nil
}
