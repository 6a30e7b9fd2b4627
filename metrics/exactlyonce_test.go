package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/stream"
)

// An exactly-once Topic→Map→Topic app reports its group's transactions:
// commits while it runs, each of which counts as a commit of the input
// topic's offsets; an app whose handler fails aborts the transaction it
// has open, and its group reports itself failed.
func TestKafkaAppExactlyOnce(t *testing.T) {
	const n = 200
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 2), kafkatest.WithTopic("out", 2))
	conf := kafka.ConfigMap(testkit.KafkaConf(b.Addr()))
	ctx := testkit.Context(t, time.Minute)
	producer := newTopic(t, "in", conf)
	produce := func() {
		for i := range n {
			if err := producer.Produce(ctx, fmt.Sprint(i), "m"); err != nil {
				t.Fatal(err)
			}
		}
	}

	produce()
	reg := prometheus.NewRegistry()
	running, stop := context.WithCancel(ctx)
	defer stop()
	ran := runExactlyOnce(t, running, reg, conf, "upper-0", 20*time.Millisecond, func(m kafka.Message[string, string]) (kafka.Message[string, string], error) {
		return upper(m), nil
	})
	label := "transactional_id=upper-0"
	var s map[string]float64
	testkit.Eventually(t, 30*time.Second, "the transactions did not commit every message", func() bool {
		s = samples(t, reg)
		inCommits, _ := sum(s, "slipstream_commits_total", "topic=in")
		produced, _ := sum(s, "slipstream_messages_produced_total", "topic=out")
		lag, _ := sum(s, "slipstream_consumer_lag", "topic=in")
		return inCommits >= 1 && produced == n && lag == 0
	})
	committed, _ := sum(s, "slipstream_transactions_committed_total", label)
	inCommits, _ := sum(s, "slipstream_commits_total", "topic=in")
	if inCommits > committed {
		t.Errorf("%v commits of topic in, more than the %v transactions committed", inCommits, committed)
	}
	if held, _ := sum(s, "slipstream_transaction_commit_seconds_total", label); held <= 0 {
		t.Errorf("commit seconds: %v, want some", held)
	}
	for _, name := range []string{"slipstream_transactions_aborted_total", "slipstream_transactions_failed"} {
		if v, _ := sum(s, name, label); v != 0 {
			t.Errorf("%s: %v, want 0", name, v)
		}
	}
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}

	// An app that fails at its 150th message, its transaction open (with
	// two batches of 64 outputs sent in it).
	produce()
	reg = prometheus.NewRegistry()
	boom := errors.New("boom")
	handled := 0
	err := <-runExactlyOnce(t, ctx, reg, conf, "upper-1", time.Hour, func(m kafka.Message[string, string]) (kafka.Message[string, string], error) {
		if handled++; handled == 150 {
			return m, boom
		}
		return upper(m), nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Run: %v, want %v", err, boom)
	}
	s = samples(t, reg)
	for name, want := range map[string]float64{
		"slipstream_transactions_committed_total": 0,
		"slipstream_transactions_aborted_total":   1,
		"slipstream_transactions_failed":          1,
	} {
		if v, _ := sum(s, name, "transactional_id=upper-1"); v != want {
			t.Errorf("%s after the failure: %v, want %v", name, v, want)
		}
	}
}

// runExactlyOnce runs, until ctx ends or it fails, an app with metrics on
// reg that maps topic in to topic out through h, exactly once, under the
// transactional id id, committing every interval; it returns Run's error
// once the app, its topics and the group are closed.
func runExactlyOnce(t *testing.T, ctx context.Context, reg prometheus.Registerer, conf kafka.ConfigMap, id string, interval time.Duration, h func(kafka.Message[string, string]) (kafka.Message[string, string], error)) <-chan error {
	t.Helper()
	eo, err := kafka.NewExactlyOnce(conf, &kafka.ExactlyOnceOptions{CommitInterval: interval, TransactionalID: id})
	if err != nil {
		t.Fatal(err)
	}
	in, err := kafka.NewTopic[string, string]("in", conf, kafka.WithExactlyOnce(eo))
	if err != nil {
		t.Fatal(err)
	}
	out, err := kafka.NewTopicLike[string, string]("out", in)
	if err != nil {
		t.Fatal(err)
	}
	app := stream.NewApp(metrics.With(reg, "upper"))
	stream.Handle(app, in, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (kafka.Message[string, string], error) {
		return h(m)
	}), out)
	ran := make(chan error, 1)
	go func() {
		err := app.Run(ctx)
		closeCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if cerr := errors.Join(in.Close(closeCtx), out.Close(closeCtx), eo.Close(closeCtx)); cerr != nil && err == nil {
			err = cerr
		}
		ran <- err
	}()
	return ran
}
