// Command soak runs a Kafka Topic → stream.Map → Topic app at full speed
// for a while and samples its memory: the process's resident set (VmRSS)
// and what the Go runtime holds, so that growth after warm-up shows, and
// whether it is Go's heap or librdkafka's C memory.
//
//	cd bench && go run ./cmd/soak [-duration 10m] [-every 5s] [-warmup 1m] [-backlog 200000] [-conf key=value ...]
//
// The broker (package kafka/kafkatest) runs in a child process, which also
// feeds the input topic, keeping it -backlog messages of 100 bytes ahead
// of the app, so that the app never waits for input, and deletes what has
// been read (see serveBrokerIfChild). The app commits as any app does,
// at-least-once. -conf sets a librdkafka property on both Topics, to try
// a bound (queued.max.messages.kbytes=16384); each client takes the
// properties that apply to it.
//
// It prints a row per sample, then the resident set minute by minute, its
// mean after the warm-up and its growth. "other" is the resident set less
// what the Go runtime holds: mostly librdkafka's C memory, of which "C in
// use" is what malloc has handed out and "C free" what it holds unused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/stream"
)

func main() {
	serveBrokerIfChild()
	var (
		cfg  config
		conf confFlag
	)
	flag.DurationVar(&cfg.duration, "duration", 10*time.Minute, "how long the app runs")
	flag.DurationVar(&cfg.every, "every", 5*time.Second, "how often memory is sampled")
	flag.DurationVar(&cfg.warmup, "warmup", time.Minute, "the warm-up, after which the resident set should stay flat")
	flag.Int64Var(&cfg.backlog, "backlog", 200000, "messages the feeder keeps ahead of the app")
	flag.Var(&conf, "conf", "a librdkafka property for both Topics, key=value (repeatable)")
	flag.Parse()
	cfg.conf = kafka.ConfigMap(conf)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// config is what a soak runs with.
type config struct {
	duration, every, warmup time.Duration
	backlog                 int64
	conf                    kafka.ConfigMap // over both Topics' own
}

// run starts the broker, runs the app for cfg.duration while sampling,
// and prints the samples to w as they come, then a summary.
func run(ctx context.Context, w io.Writer, cfg config) error {
	b, err := startBroker(cfg.backlog)
	if err != nil {
		return err
	}
	defer b.close()

	topicConf := func(own kafka.ConfigMap) kafka.ConfigMap {
		m := kafka.ConfigMap{"bootstrap.servers": b.addr, "broker.address.family": "v4"}
		for k, v := range own {
			m[k] = v
		}
		for k, v := range cfg.conf {
			m[k] = v
		}
		return m
	}
	in, err := kafka.NewTopic[string, []byte](inTopic, topicConf(kafka.ConfigMap{
		"group.id":          "soak",
		"auto.offset.reset": "earliest",
	}))
	if err != nil {
		return err
	}
	out, err := kafka.NewTopic[string, []byte](outTopic, topicConf(nil))
	if err != nil {
		return err
	}

	var handled atomic.Int64
	app := stream.NewApp()
	mapped := stream.Map(in, func(m kafka.Message[string, []byte]) kafka.Message[string, []byte] {
		return kafka.NewMessage(m.Key, m.Value)
	})
	stream.Handle(app, mapped, stream.Func(func(m kafka.Message[string, []byte]) kafka.Message[string, []byte] {
		handled.Add(1)
		return m
	}), out)

	fmt.Fprintf(w, "soak: Topic → Map → Topic for %v, a sample every %v; conf %v\n\n", cfg.duration, cfg.every, cfg.conf)
	runCtx, cancel := context.WithTimeout(ctx, cfg.duration)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- app.Run(runCtx) }()

	s := newSampler(w, &handled)
	s.header()
	tick := time.NewTicker(cfg.every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			s.sample()
		case err := <-errc:
			s.summary(cfg.warmup)
			if err != nil || ctx.Err() != nil {
				return errors.Join(err, ctx.Err())
			}
			return nil
		}
	}
}

// confFlag collects -conf key=value flags.
type confFlag map[string]any

func (c *confFlag) String() string { return fmt.Sprint(map[string]any(*c)) }

func (c *confFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	if *c == nil {
		*c = confFlag{}
	}
	(*c)[k] = v
	return nil
}
