package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

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
	broker, addr, err := startBroker(ctx, dir)
	if err != nil {
		return result{}, err
	}
	defer broker.stop()
	procs := make([]*process, consumers)
	for i := range procs {
		if procs[i], err = startConsumer(ctx, addr, filepath.Join(dir, fmt.Sprint("consumer-", i))); err != nil {
			return result{}, err
		}
		defer procs[i].stop()
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
	if err := waitCommitted(ctx, input, int64(cfg.Messages)/2); err != nil {
		return result{}, err
	}
	victim := procs[consumers-1]
	if err := victim.cmd.Process.Kill(); err != nil {
		return result{}, err
	}
	fmt.Fprintf(cfg.Out, "killed consumer %d half-way (SIGKILL)\n", consumers-1)
	if err := <-sending; err != nil {
		return result{}, err
	}
	if err := waitCommitted(ctx, input, int64(cfg.Messages)); err != nil {
		return result{}, err
	}
	totals, err := gather(ctx, procs[:consumers-1])
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

// waitCommitted waits until the group has committed n messages or more.
func waitCommitted(ctx context.Context, topic *kafka.Topic[string, string], n int64) error {
	var committed int64
	for {
		lag, err := topic.Lag(ctx)
		if err != nil {
			return err
		}
		committed = 0
		for p, behind := range lag {
			_, high, err := topic.Watermarks(ctx, p)
			if err != nil {
				return err
			}
			committed += high - behind
		}
		if committed >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the group to commit %d messages (it has %d): %w", n, committed, context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// gather asks each survivor for what it holds until, together, they hold
// every partition once, and returns their counts.
func gather(ctx context.Context, survivors []*process) (map[string]int, error) {
	for {
		totals, held := map[string]int{}, map[int32]int{}
		for _, p := range survivors {
			r, err := p.ask(ctx)
			if err != nil {
				return nil, err
			}
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
			return nil, context.Cause(ctx)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// A process is a child process whose standard output is read line by line.
type process struct {
	cmd   *exec.Cmd
	lines chan string
}

func start(ctx context.Context, cmd *exec.Cmd) (*process, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, lines: make(chan string, 16)}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	return p, nil
}

// line returns the process's next line of output.
func (p *process) line(ctx context.Context) (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%s ended: %v", filepath.Base(p.cmd.Path), p.cmd.Wait())
		}
		return l, nil
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

// ask has a consumer report what it holds.
func (p *process) ask(ctx context.Context) (report, error) {
	if err := p.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return report{}, err
	}
	l, err := p.line(ctx)
	if err != nil {
		return report{}, err
	}
	var r report
	return r, json.Unmarshal([]byte(l), &r)
}

// stop asks the process to stop, kills it if it has not within ten
// seconds, and waits for it.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	killer := time.AfterFunc(10*time.Second, func() { _ = p.cmd.Process.Kill() })
	defer killer.Stop()
	for range p.lines {
	}
	_ = p.cmd.Wait()
}

// startBroker builds kafka/kafkatest/cmd/broker in dir and runs it with
// the topic, and returns it with its address. (Built rather than run with
// go run, which would not pass it the signal that stops it.)
func startBroker(ctx context.Context, dir string) (*process, string, error) {
	bin := filepath.Join(dir, "broker")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/slipstream-go/slipstream/kafka/kafkatest/cmd/broker")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("building the broker: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-topic", fmt.Sprintf("%s:%d", topicName, partitions))
	p, err := start(ctx, cmd)
	if err != nil {
		return nil, "", fmt.Errorf("starting the broker: %w", err)
	}
	addr, err := p.line(ctx)
	if err != nil {
		p.stop()
		return nil, "", fmt.Errorf("starting the broker: %w", err)
	}
	return p, addr, nil
}

// startConsumer runs this program as a consumer with its shards in dir,
// and waits until it is ready.
func startConsumer(ctx context.Context, addr, dir string) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), roleEnv+"=consumer", bootstrapEnv+"="+addr, dirEnv+"="+dir)
	p, err := start(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if l, err := p.line(ctx); err != nil || l != "ready" {
		p.stop()
		return nil, fmt.Errorf("starting a consumer: %q, %v", l, err)
	}
	return p, nil
}

// quiet returns a logger of warnings and errors only.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})).With("pid", os.Getpid())
}
