// The getting-started pipeline, end to end: a producer sends emoji to a Kafka
// topic, a consumer counts them per emoji in a partitioned table (package
// state: a RocksDB shard per partition, each change also in a changelog
// topic), and a timer prints the counts every few seconds. It ends by itself after -duration (Ctrl-C ends it earlier,
// draining first) with a summary. Run it twice: the counts continue from the
// first run's, read back from disk.
//
// It uses the Kafka cluster at $KAFKA_BOOTSTRAP, or else starts a broker
// in-process, and keeps its state under -state. Its progress line shows the
// consumer group's lag as the broker has it, from the app's Prometheus
// metrics; -metrics serves them, with the health endpoints, while it runs:
//
//	go run ./examples/demo -duration 15s -metrics 127.0.0.1:9464
//	curl 127.0.0.1:9464/metrics   # or /healthz, /readyz
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

func main() {
	var cfg config
	flag.DurationVar(&cfg.Duration, "duration", 12*time.Second, "how long to run before draining and stopping")
	flag.DurationVar(&cfg.Every, "every", 3*time.Second, "how often to print the counts")
	flag.IntVar(&cfg.Rate, "rate", 200, "emoji sent per second")
	flag.StringVar(&cfg.State, "state", "data/demo", "folder for the table's shards")
	flag.StringVar(&cfg.Metrics, "metrics", "", "serve /metrics, /healthz and /readyz on this address (host:port) while running")
	flag.Parse()
	cfg.Out = os.Stdout
	cfg.Live = isTerminal(os.Stdout)

	// Logs would break the progress line: keep librdkafka's and the app's
	// to warnings.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))

	// Ctrl-C (SIGINT) or SIGTERM drains the demo, as the deadline does. A
	// second one ends the process at once: after the first, signals get
	// their default handling back.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	if _, err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// config is what the demo's flags set.
type config struct {
	Duration time.Duration // run this long, then drain
	Every    time.Duration // print the counts this often
	Rate     int           // emoji sent per second
	State    string        // the table's folder
	Metrics  string        // the address to serve the metrics on; "": none
	Out      io.Writer     // where counts, progress and the summary go
	Live     bool          // Out is a terminal: redraw one progress line
}

var emoji = []string{"🏆", "📞", "🐟", "👌"}

// result is what a run did.
type result struct {
	Before, After map[string]int64 // the counts when the run started and ended
	Sent, Counted int64
}

// run runs the demo until cfg.Duration has passed or ctx is done, then
// drains it.
func run(ctx context.Context, cfg config) (result, error) {
	var res result
	err := runInto(ctx, cfg, &res)
	return res, err
}

func runInto(ctx context.Context, cfg config, res *result) error {
	if cfg.Rate < 1 {
		return fmt.Errorf("demo: -rate must be at least 1, got %d", cfg.Rate)
	}
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji", 3))
	if err != nil {
		return err
	}
	defer stop()

	topic, err := kafka.NewTopic[string, string]("emoji", kafka.ConfigMap{
		"bootstrap.servers":     addr,
		"group.id":              "demo",
		"auto.offset.reset":     "earliest",
		"broker.address.family": "v4",
	})
	if err != nil {
		return err
	}
	// The counts, per emoji, in the shard of the emoji's partition. The
	// consumer app closes the table when it stops.
	counts, err := state.New(ctx, "counts", topic, codec.StringKey(), codec.Int[int64](), &state.Options{Dir: cfg.State})
	if err != nil {
		return err
	}

	// The metrics of both apps, which the progress line reads the lag
	// from, served on cfg.Metrics if set.
	reg := prometheus.NewRegistry()
	p := progress{reg: reg}

	// Two apps: the producer stops at the deadline, or when ctx is done (on
	// Ctrl-C); the consumer and the timer stop once everything sent has
	// been counted. So neither runs until a signal: with
	// RunUntilSignal, Ctrl-C would stop the consumer too, before it had
	// counted the producer's last messages.
	producer := stream.NewApp(metrics.With(reg, "demo-producer"))
	consumer := stream.NewApp(metrics.With(reg, "demo-consumer"))
	if cfg.Metrics != "" {
		stopServing, err := serve(cfg, metrics.Handler(reg, producer, consumer))
		if err != nil {
			return err
		}
		defer stopServing()
	}

	// The producer: an emoji every 1/rate seconds, to the topic.
	n := 0
	stream.Handle(producer, source.Ticker(time.Second/time.Duration(cfg.Rate)), stream.Func(func(time.Time) kafka.Message[string, string] {
		e := emoji[n%len(emoji)]
		n++
		p.sent.Add(1)
		return kafka.NewMessage(e, e)
	}), topic)

	// The consumer: count each emoji, keyed by it, in the table. The
	// message's offset is committed once the changelog has the new count.
	stream.Handle(consumer, topic, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int64], error) {
		n, err := counts.Get(m.Partition, m.Key)
		if err != nil {
			return state.Change[string, int64]{}, err
		}
		p.counted.Add(1)
		return state.Put(m.Partition, m.Key, n.OrElse(0)+1), nil
	}), counts)

	// The timer: print the counts every few seconds.
	stream.Handle(consumer, source.Ticker(cfg.Every), stream.DoErr(func(context.Context, time.Time) error {
		now, err := snapshot(counts)
		if err != nil {
			return err
		}
		p.println(cfg, fmt.Sprintf("emoji counts: %v", now))
		return nil
	}))

	started := time.Now()
	stopProgress := p.start(cfg)
	defer stopProgress()
	consuming, stopConsuming := context.WithCancel(context.WithoutCancel(ctx))
	defer stopConsuming()
	consumed := make(chan error, 1)
	go func() { consumed <- consumer.Run(consuming) }()
	if err := waitHeld(ctx, counts, consumed); err != nil {
		stopConsuming()
		return errors.Join(err, <-consumed)
	}
	if res.Before, err = snapshot(counts); err != nil {
		stopConsuming()
		return errors.Join(err, <-consumed)
	}
	p.println(cfg, fmt.Sprintf("emoji counts so far: %v", res.Before))

	producing, stopProducing := context.WithTimeout(ctx, cfg.Duration)
	defer stopProducing()
	if err := producer.Run(producing); err != nil {
		stopConsuming()
		return errors.Join(err, <-consumed)
	}
	p.waitCaughtUp(consumed, 10*time.Second)
	res.After, err = snapshot(counts) // while the consumer holds the partitions
	stopConsuming()
	if err := errors.Join(err, <-consumed); err != nil {
		return err
	}
	stopProgress()

	res.Sent, res.Counted = p.sent.Load(), p.counted.Load()
	fmt.Fprintf(cfg.Out, "done in %v: sent %d, counted %d (%.0f/s)\nemoji counts: %v\n",
		time.Since(started).Round(time.Millisecond), p.sent.Load(), p.counted.Load(),
		float64(p.counted.Load())/time.Since(started).Seconds(), res.After)
	return nil
}

// waitHeld waits until the table holds every partition of the topic,
// restored, or the consumer has ended.
func waitHeld(ctx context.Context, counts *state.Table[string, int64], consumed <-chan error) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(30 * time.Second)
	for len(counts.Held()) < 3 {
		select {
		case err := <-consumed:
			return fmt.Errorf("demo: the consumer ended before it held its partitions: %v", err)
		case <-timeout:
			return errors.New("demo: the consumer did not get its partitions within 30 s")
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-tick.C:
		}
	}
	return nil
}

// snapshot reads every count from the partitions the table holds.
func snapshot(counts *state.Table[string, int64]) (map[string]int64, error) {
	m := map[string]int64{}
	for _, p := range counts.Held() {
		it, err := counts.Iter(p)
		if errors.Is(err, state.ErrNotHeld) {
			continue // given up meanwhile
		}
		if err != nil {
			return nil, err
		}
		maps.Insert(m, it.Items())
		if err := it.Err(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// serve serves h on cfg.Metrics until the returned function is called, and
// says where.
func serve(cfg config, h http.Handler) (stop func(), err error) {
	ln, err := net.Listen("tcp", cfg.Metrics)
	if err != nil {
		return nil, fmt.Errorf("demo: -metrics: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // returns once stopped
	}()
	fmt.Fprintf(cfg.Out, "metrics: http://%s/metrics (and /healthz, /readyz)\n", ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served
	}, nil
}
