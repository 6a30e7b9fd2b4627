package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/slipstream-go/slipstream/examples/internal/procs"
	"github.com/slipstream-go/slipstream/kafka"
)

const (
	partitions = 6
	consumers  = 3
)

type config struct {
	Messages, Keys int
	Timeout        time.Duration // for the whole run; default 10 minutes
	Out            io.Writer
}

// A result is what the survivors counted, against what was sent.
type result struct {
	Sent, Counted, Lost, Over int
	Totals                    map[string]int
}

func coordinate(cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), cmp.Or(cfg.Timeout, 10*time.Minute))
	defer cancel()
	res, err := run(ctx, cfg)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(res.Totals)) {
		fmt.Fprintf(cfg.Out, "%s %d\n", k, res.Totals[k])
	}
	fmt.Fprintf(cfg.Out, "sent %d, counted %d, lost %d, over-counted %d\n", res.Sent, res.Counted, res.Lost, res.Over)
	return nil
}

// run starts the broker and the consumers, sends, kills a consumer
// half-way, and gathers the survivors' counts once all is committed.
func run(ctx context.Context, cfg config) (result, error) {
	dir, err := os.MkdirTemp("", "scaleout-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	broker, addr, err := procs.StartBroker(ctx, dir, fmt.Sprintf("%s:%d", topicName, partitions))
	if err != nil {
		return result{}, err
	}
	defer broker.Stop()
	consumerProcs := make([]*procs.Process, consumers)
	for i := range consumerProcs {
		shards := filepath.Join(dir, fmt.Sprint("consumer-", i))
		if consumerProcs[i], err = procs.Self(ctx, roleEnv+"=consumer", bootstrapEnv+"="+addr, dirEnv+"="+shards); err != nil {
			return result{}, err
		}
		defer consumerProcs[i].Stop()
	}
	fmt.Fprintf(cfg.Out, "broker at %s, %d consumers, %d partitions\n", addr, consumers, partitions)

	input, err := kafka.NewTopic[string, string](topicName, kafka.ConfigMap{"bootstrap.servers": addr, "group.id": groupID}, kafka.WithLogger(quiet()))
	if err != nil {
		return result{}, err
	}
	defer input.Close(ctx)
	sending := make(chan error, 1)
	sent := keyCounts(cfg)
	go func() { sending <- send(ctx, input, cfg) }()
	if err := procs.WaitCommitted(ctx, input, int64(cfg.Messages)/2); err != nil {
		return result{}, err
	}
	// Kill once the group is stable, every partition held once: the
	// in-process broker never expires a member killed in the middle of a
	// rebalance (its session timer starts with the member's heartbeats),
	// where a real broker's rebalance timeout would.
	if _, err := gather(ctx, consumerProcs); err != nil {
		return result{}, err
	}
	victim := consumerProcs[consumers-1]
	if err := victim.Kill(); err != nil {
		return result{}, err
	}
	fmt.Fprintf(cfg.Out, "killed consumer %d half-way (SIGKILL)\n", consumers-1)
	if err := <-sending; err != nil {
		return result{}, err
	}
	if err := procs.WaitCommitted(ctx, input, int64(cfg.Messages)); err != nil {
		return result{}, err
	}
	totals, err := gather(ctx, consumerProcs[:consumers-1])
	if err != nil {
		return result{}, err
	}
	res := result{Sent: cfg.Messages, Totals: totals}
	for k, n := range sent {
		got := totals[k]
		res.Counted += min(got, n)
		res.Lost += max(0, n-got)
		res.Over += max(0, got-n)
	}
	return res, nil
}

// key returns the key of message i.
func key(cfg config, i int) string { return fmt.Sprintf("key-%02d", i%cfg.Keys) }

// keyCounts returns how many messages of each key send sends.
func keyCounts(cfg config) map[string]int {
	n := map[string]int{}
	for i := range cfg.Messages {
		n[key(cfg, i)]++
	}
	return n
}

// send sends cfg.Messages keyed messages.
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

// gather asks each survivor for what it holds until, together, they hold
// every partition once, and returns their counts.
func gather(ctx context.Context, survivors []*procs.Process) (map[string]int, error) {
	for {
		totals, held := map[string]int{}, map[int32]int{}
		var each [][]int32
		for _, p := range survivors {
			r, err := procs.Ask(ctx, p)
			if err != nil {
				return nil, err
			}
			each = append(each, r.Partitions)
			for _, part := range r.Partitions {
				held[part]++
			}
			for k, n := range r.Counts {
				totals[k] += n
			}
		}
		if len(held) == partitions && !slices.ContainsFunc(slices.Collect(maps.Values(held)), func(n int) bool { return n > 1 }) {
			return totals, nil
		}
		select { // a rebalance is still under way
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the survivors to hold every partition once (they hold %v): %w", each, context.Cause(ctx))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// quiet returns a logger of warnings and errors only.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("pid", os.Getpid())
}
