package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/stream"
)

func upper(m kafka.Message[string, string]) kafka.Message[string, string] {
	return kafka.NewMessage(m.Key, strings.ToUpper(m.Value))
}

// A Topic→Map→Topic app on the in-process broker, its handler served
// over HTTP: /readyz turns 200 once it runs, /metrics counts every message
// consumed and produced, and the consumer lag of each partition falls to
// 0 once the group has committed them all; once the app stops, /healthz
// and /readyz answer 503.
func TestKafkaApp(t *testing.T) {
	const n = 300
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 3), kafkatest.WithTopic("out", 2))
	conf := kafka.ConfigMap(testkit.KafkaConf(b.Addr(), "auto.commit.interval.ms", 100))
	ctx := testkit.Context(t, time.Minute)
	in := newTopic(t, "in", conf)
	out := newTopic(t, "out", conf)
	for i := range n {
		if err := in.Produce(ctx, fmt.Sprint(i), "m"); err != nil {
			t.Fatal(err)
		}
	}
	if err := in.Close(ctx); err != nil { // its producer: the app's in counts only what the app writes
		t.Fatal(err)
	}

	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "upper"))
	stream.Handle(app, in, stream.Func(upper), out)
	srv := httptest.NewServer(metrics.Handler(reg, app))
	defer srv.Close()

	if code, body := get(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "app upper: not running") {
		t.Errorf("/readyz before Run: %d %q, want 503 saying the app is not running", code, body)
	}
	running, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- app.Run(running) }()

	testkit.Eventually(t, 30*time.Second, "/readyz did not answer 200", func() bool {
		code, _ := get(t, srv.URL+"/readyz")
		return code == 200
	})
	if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz while running: %d %q, want 200 ok", code, body)
	}
	var s map[string]float64
	testkit.Eventually(t, 30*time.Second, "the lag did not fall to 0 on every partition", func() bool {
		s = samples(t, reg)
		consumed, _ := sum(s, "slipstream_messages_consumed_total", "topic=in")
		lag, parts := sum(s, "slipstream_consumer_lag", "topic=in")
		return consumed == n && parts == 3 && lag == 0
	})
	for _, c := range []struct {
		metric string
		labels []string
		want   float64
	}{
		{"slipstream_messages_produced_total", []string{"app=upper", "topic=out"}, n},
		{"slipstream_produce_errors_total", []string{"topic=out"}, 0},
		{"slipstream_handler_duration_seconds_count", []string{"handler=upper"}, n},
		{"slipstream_partitions_assigned", []string{"topic=in"}, 3},
		{"slipstream_commit_failures_total", []string{"topic=in"}, 0},
	} {
		if got, _ := sum(s, c.metric, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.metric, c.labels, got, c.want)
		}
	}
	if commits, _ := sum(s, "slipstream_commits_total", "topic=in"); commits < 1 {
		t.Errorf("commits: %v, want at least one", commits)
	}
	if _, n := sum(s, "slipstream_messages_produced_total", "topic=in"); n != 0 {
		t.Errorf("the app reports a producer of its source topic, which it does not write")
	}
	if _, n := sum(s, "slipstream_consumer_lag", "topic=out"); n != 0 {
		t.Errorf("the app reports a consumer of its sink topic, which it does not read")
	}
	code, body := get(t, srv.URL+"/metrics")
	for _, line := range []string{`slipstream_messages_consumed_total{app="upper",partition="0",topic="in"}`, `slipstream_consumer_lag{app="upper",partition="2",topic="in"} 0`} {
		if code != 200 || !strings.Contains(body, line) {
			t.Errorf("/metrics: %d, no line %s in:\n%s", code, line, body)
		}
	}

	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, srv.URL+path); code != 503 || !strings.Contains(body, "not running") {
			t.Errorf("%s after Run: %d %q, want 503 saying the app is not running", path, code, body)
		}
	}
}

// newTopic makes a topic and closes it when the test ends.
func newTopic(t testing.TB, name string, conf kafka.ConfigMap) *kafka.Topic[string, string] {
	t.Helper()
	topic, err := kafka.NewTopic[string, string](name, conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := topic.Close(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("closing %v: %v", topic, err)
		}
	})
	return topic
}

// The lag is the broker's: while the handler is stuck on the first
// message, it counts every message produced to the topic, those produced
// meanwhile too, and it falls to 0 once the handler goes on.
func TestLagFollowsTheBroker(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 1))
	conf := kafka.ConfigMap(testkit.KafkaConf(b.Addr(), "auto.commit.interval.ms", 100))
	ctx := testkit.Context(t, time.Minute)
	in := newTopic(t, "in", conf)
	produce := func(n int) {
		for i := range n {
			if err := in.Produce(ctx, fmt.Sprint(i), "m"); err != nil {
				t.Fatal(err)
			}
		}
	}
	produce(10)

	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "stuck"))
	release := make(chan struct{})
	stream.Handle(app, in, stream.DoErr(func(ctx context.Context, _ kafka.Message[string, string]) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}))
	running, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- app.Run(running) }()

	lag := func() float64 {
		v, _ := sum(samples(t, reg), "slipstream_consumer_lag", "topic=in", "partition=0")
		return v
	}
	testkit.Eventually(t, 30*time.Second, "the lag did not reach the 10 messages produced", func() bool { return lag() == 10 })
	produce(5)
	testkit.Eventually(t, 30*time.Second, "the lag did not reach the 15 messages produced", func() bool { return lag() == 15 })
	close(release)
	testkit.Eventually(t, 30*time.Second, "the lag did not fall to 0", func() bool { return lag() == 0 })
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

// While the stream a topic feeds is paused, its consumer pauses the
// partitions: slipstream_partitions_paused counts them, until the stream
// resumes.
func TestPausedPartitions(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 2))
	in := newTopic(t, "in", kafka.ConfigMap(testkit.KafkaConf(b.Addr())))
	s := stream.From(in)
	s.Pause()
	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "paused"))
	stream.Handle(app, s, stream.Do(func(kafka.Message[string, string]) {}))
	ctx, stop := context.WithCancel(testkit.Context(t, time.Minute))
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	gauge := func(name string) float64 {
		v, _ := sum(samples(t, reg), name, "topic=in")
		return v
	}
	testkit.Eventually(t, 30*time.Second, "the two partitions were not counted paused", func() bool {
		return gauge("slipstream_partitions_assigned") == 2 && gauge("slipstream_partitions_paused") == 2
	})
	s.Resume()
	testkit.Eventually(t, 30*time.Second, "the partitions were still counted paused after the resume", func() bool {
		return gauge("slipstream_partitions_paused") == 0
	})
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}
