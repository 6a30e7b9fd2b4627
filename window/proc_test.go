package window_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// The multi-process tests run this test binary again as a child process
// counting clicks in windows: its environment says how.
const (
	childEnv       = "SLIPSTREAM_WINDOW_TEST_CHILD" // "count"
	childBootstrap = "SLIPSTREAM_WINDOW_TEST_BOOTSTRAP"
	childGroup     = "SLIPSTREAM_WINDOW_TEST_GROUP"
	childInstance  = "SLIPSTREAM_WINDOW_TEST_INSTANCE"
	childDir       = "SLIPSTREAM_WINDOW_TEST_DIR"
	childExactly   = "SLIPSTREAM_WINDOW_TEST_EXACTLY"   // "1": exactly-once
	childDieAfter  = "SLIPSTREAM_WINDOW_TEST_DIE_AFTER" // SIGKILL itself after this many clicks
)

// runChild runs a child process's app, and returns its exit code.
func runChild(role string) int {
	if role != "count" {
		fmt.Fprintln(os.Stderr, "unknown child role", role)
		return 2
	}
	if err := countClicks(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// countClicks counts the clicks of topic "clicks" per key in tumbling
// windows of a second, its state in a window table, and sends each
// window's final result to topic "results" as "key" → "start-ms count",
// until SIGTERM. It prints "ready" once set up, and "held p,q,..." each
// time partitions come, once the table holds them.
func countClicks() error {
	conf := kafka.ConfigMap{
		"bootstrap.servers":      os.Getenv(childBootstrap),
		"broker.address.family":  "v4",
		"group.id":               os.Getenv(childGroup),
		"group.instance.id":      os.Getenv(childInstance), // a restart rejoins at once
		"auto.offset.reset":      "earliest",
		"session.timeout.ms":     6000,
		"heartbeat.interval.ms":  500,
		"transaction.timeout.ms": 5000,
	}
	var opts []kafka.Option
	if os.Getenv(childExactly) == "1" {
		eo, err := kafka.NewExactlyOnce(conf, &kafka.ExactlyOnceOptions{CommitInterval: 50 * time.Millisecond})
		if err != nil {
			return err
		}
		defer eo.Close(context.Background()) // after the app: its topics commit as they close
		opts = append(opts, kafka.WithExactlyOnce(eo))
	}
	input, err := kafka.NewTopic[string, string]("clicks", conf, opts...)
	if err != nil {
		return err
	}
	results, err := kafka.NewTopicLike[string, string]("results", input)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	table, err := window.NewTable(ctx, "counts", input, &state.Options{Dir: os.Getenv(childDir)})
	if err != nil {
		return err
	}
	input.Listen(heldPrinter{table.State()})
	op, err := window.New(window.Tumbling(time.Second), window.Messages[string, string](codec.StringKey()),
		window.Count[clicks](), table, &window.Options[clicks]{Emit: window.EmitFinal})
	if err != nil {
		return err
	}
	dieAfter, _ := strconv.ParseInt(os.Getenv(childDieAfter), 10, 64)
	var handled atomic.Int64
	counted := stream.Map(input, func(m kafka.Message[string, string]) kafka.Message[string, string] {
		if handled.Add(1) == dieAfter {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL) // mid-window, mid-transaction
		}
		return m
	})
	app := stream.NewApp()
	window.Handle(app, counted, op, topicSink[window.Result[string, int64]]{results, resultMessage})
	fmt.Println("ready")
	return app.Run(ctx)
}

// A topicSink sends values of T to a topic, each made a message by
// message; it is async, as the topic is, so that its outputs commit as
// the topic's.
type topicSink[T any] struct {
	topic   *kafka.Topic[string, string]
	message func(T) kafka.Message[string, string]
}

func (s topicSink[T]) Send(ctx context.Context, v T) error {
	return s.topic.Send(ctx, s.message(v))
}

func (s topicSink[T]) SendAsync(ctx context.Context, v T, done func(error)) error {
	return s.topic.SendAsync(ctx, s.message(v), done)
}

func (s topicSink[T]) Origin() any { return s.topic }

// resultMessage is a window's result as a message: key → "start-ms count".
func resultMessage(r window.Result[string, int64]) kafka.Message[string, string] {
	return kafka.NewMessage(r.Key, fmt.Sprint(r.Start.Sub(epoch0).Milliseconds(), " ", r.Value))
}

// heldPrinter prints the partitions a table holds each time some come,
// once it holds them.
type heldPrinter struct{ t *state.Table[[]byte, []byte] }

func (h heldPrinter) Assigned(ctx context.Context, ps []int32) error {
	for !holds(h.t.Held(), ps) {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(20 * time.Millisecond):
		}
	}
	var s []string
	for _, p := range h.t.Held() {
		s = append(s, fmt.Sprint(p))
	}
	fmt.Println("held", strings.Join(s, ","))
	return nil
}

func (heldPrinter) Revoked([]int32) {}

func holds(held, ps []int32) bool {
	for _, p := range ps {
		if !slices.Contains(held, p) {
			return false
		}
	}
	return true
}

// startChild starts a child process counting clicks, with env added to
// its environment.
func startChild(t *testing.T, env ...string) *testkit.Child {
	t.Helper()
	return testkit.StartChild(t, append([]string{childEnv + "=count"}, env...)...)
}

// waitHeld waits until child c says it holds partitions ps ("0,1"), or any
// if ps is "", and returns what it holds.
func waitHeld(t *testing.T, ctx context.Context, c *testkit.Child, ps string) string {
	t.Helper()
	for {
		l := c.Line(t, ctx)
		if held, ok := strings.CutPrefix(l, "held "); ok && (ps == "" || held == ps) {
			return held
		}
	}
}
