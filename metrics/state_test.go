package metrics_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/metrics"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// A listener that holds the partitions assigned until released, as a
// table holds them while it restores their state.
type slowRestore struct{ release chan struct{} }

func (l slowRestore) Assigned(ctx context.Context, _ []int32) error {
	select {
	case <-l.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (slowRestore) Revoked([]int32) {}

// /readyz answers 503 while the partitions assigned are being restored,
// naming them, and 200 once they are handled; /healthz answers 200
// throughout.
func TestReadyWaitsForRestore(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 2))
	in := newTopic(t, "in", kafka.ConfigMap(testkit.KafkaConf(b.Addr())))
	l := slowRestore{make(chan struct{})}
	in.Listen(l)
	reg := prometheus.NewRegistry()
	app := stream.NewApp(metrics.With(reg, "restoring"))
	stream.Handle(app, in, stream.Do(func(kafka.Message[string, string]) {}))
	srv := httptest.NewServer(metrics.Handler(reg, app))
	defer srv.Close()
	ctx, stop := context.WithCancel(testkit.Context(t, time.Minute))
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()

	testkit.Eventually(t, 30*time.Second, "/readyz did not say the partitions are being restored", func() bool {
		code, body := get(t, srv.URL+"/readyz")
		return code == 503 && strings.Contains(body, "kafka topic in: partitions [") && strings.Contains(body, "] are being restored")
	})
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz during the restore: %d, want 200", code)
	}
	close(l.release)
	testkit.Eventually(t, 30*time.Second, "/readyz did not answer 200 after the restore", func() bool {
		code, _ := get(t, srv.URL+"/readyz")
		return code == 200
	})
	stop()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

// A table reports what it restored and holds: a second app, on a fresh
// disk, reads back every record the first wrote.
func TestTableMetrics(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("in", 2))
	conf := kafka.ConfigMap(testkit.KafkaConf(b.Addr()))
	ctx := testkit.Context(t, time.Minute)
	in := newTopic(t, "in", conf)
	const keys = 20
	for i := range keys {
		if err := in.Produce(ctx, fmt.Sprint(i), "m"); err != nil {
			t.Fatal(err)
		}
	}
	run := func(app string) *prometheus.Registry {
		in := newTopic(t, "in", conf) // a table listens to its input for good
		reg := prometheus.NewRegistry()
		counts, err := state.New(ctx, "counts", in, codec.StringKey(), codec.Int[int](), &state.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		a := stream.NewApp(metrics.With(reg, app))
		handled := make(chan struct{}, keys)
		stream.Handle(a, in, stream.FuncErr(func(_ context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
			handled <- struct{}{}
			return state.Put(m.Partition, m.Key, 1), nil
		}), counts)
		running, stop := context.WithCancel(ctx)
		ran := make(chan error, 1)
		go func() { ran <- a.Run(running) }()
		if app == "first" {
			for range keys {
				<-handled
			}
		} else {
			testkit.Eventually(t, 30*time.Second, "the table did not hold both partitions", func() bool { return len(counts.Held()) == 2 })
		}
		s := samples(t, reg)
		if held, _ := sum(s, "slipstream_table_partitions_held", "table=counts", "app="+app); held != 2 {
			t.Errorf("app %s: partitions held: %v, want 2", app, held)
		}
		stop()
		if err := <-ran; err != nil {
			t.Fatal(err)
		}
		return reg
	}
	run("first")
	s := samples(t, run("second"))
	if got, _ := sum(s, "slipstream_table_restored_records_total", "table=counts"); got != keys {
		t.Errorf("records restored: %v, want %d", got, keys)
	}
	if got, _ := sum(s, "slipstream_messages_produced_total", "topic="+in.Conf()["group.id"].(string)+"-counts-changelog"); got != 0 {
		t.Errorf("the second app wrote %v changelog records, want 0: it read every message's offset as committed", got)
	}
}
