package kafka_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// syncBuffer is a bytes.Buffer safe for concurrent use, for log output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDryRun(t *testing.T) {
	b := newBroker(t, kafkatest.WithTopic("in", 1), kafkatest.WithTopic("out", 1))
	ctx := testkit.Context(t, 60*time.Second)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	conf := testkit.KafkaConf(b.Addr())
	group := conf["group.id"].(string)
	in := newTopic[string, string](t, "in", conf)
	produceN(t, ctx, in, 3, func(int) string { return "k" })

	// From here on, no client may send a produce request.
	produced := b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Observe: true, Count: -1})

	dry := newTopic[string, string](t, "out", testkit.KafkaConf(b.Addr()), kafka.WithDryRun(), kafka.WithLogger(logger))
	if err := dry.Produce(ctx, "k", "direct"); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	n := 0
	app := stream.NewApp()
	stream.Handle(app, in, stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		if n++; n == 3 {
			stop()
		}
		return m
	}), stream.Sink[kafka.Message[string, string]](dry))
	if err := app.Run(runCtx); err != nil {
		t.Fatal(err)
	}

	if got := strings.Count(logs.String(), "skipped sending message to out"); got != 4 {
		t.Errorf("logged %d skipped sends, want 4:\n%s", got, logs.String())
	}
	if strings.Contains(logs.String(), "librdkafka") {
		t.Errorf("a dry topic made a client:\n%s", logs.String())
	}
	if hits := produced.Hits(); hits != 0 {
		t.Errorf("%d produce requests reached the broker", hits)
	}
	produced.Remove()
	if p := b.Cluster().PartitionInfo("out", 0); p.HighWatermark != 0 {
		t.Errorf("out holds %d messages", p.HighWatermark)
	}
	// A dry sink accepts at once: the input was committed.
	if got := committed(b, group, "in"); got[0] != 3 {
		t.Errorf("committed %v, want in/0 at 3", got)
	}
}
