package kafkabench

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/bench/internal/benchtest"
)

// The tests move a thousand messages per run, in interleaved runs of 500: they check the bodies, not the figures. Most of their time is
// the consumers' group joins and closes.
func TestMain(m *testing.M) {
	ServeBrokerIfChild()
	chunk, restoreSize = 500, 2000
	code := m.Run()
	Cleanup()
	os.Exit(code)
}

// TestSides runs every side once, in parallel (each consumer spends most
// of its run joining its group and closing), and checks their marks and the
// runs' own checks.
func TestSides(t *testing.T) {
	br, err := theBroker()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("each", func(t *testing.T) { sides(t, br) })
	if got, err := br.count(inTopic); err != nil || got != int64(filled[inTopic]) || filled[inTopic] < 1000 {
		t.Fatalf("the consume topic holds %d messages (%v), filled says %d", got, err, filled[inTopic])
	}
}

func sides(t *testing.T, br broker) {
	for name, p := range map[string]prepare{
		"Produce/slipstream": prepareProduceSlipstream, "Produce/confluent": prepareProduceConfluent,
		"SendAsync/slipstream": prepareSendAsync,
		"Consume/slipstream":   prepareConsumeSlipstream, "Consume/confluent": prepareConsumeConfluent,
		"TopicToTopic/slipstream": prepareTopicToTopic,
		"Produce/metrics":         prepareProduceMetrics, "Consume/metrics": prepareConsumeMetrics,
		"TopicToTopic/metrics": prepareTopicToTopicMetrics,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const n = 1000
			r, err := p(br, n)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var began, ended time.Time
			err = drive(ctx, r, func() { began = time.Now() }, func() { ended = time.Now() })
			if cerr := r.check(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			if began.IsZero() || ended.Before(began) {
				t.Fatalf("marks: began %v, ended %v", began, ended)
			}
		})
	}
}

// TestDrive checks drive on runs that reach their marks, or fail first.
func TestDrive(t *testing.T) {
	ctx := context.Background()
	var calls []string
	begin, end := func() { calls = append(calls, "begin") }, func() { calls = append(calls, "end") }
	ok := &run{start: func(_ context.Context, m *marks) error { m.begin(); m.end(); return nil }}
	if err := drive(ctx, ok, begin, end); err != nil || len(calls) != 2 || calls[0] != "begin" || calls[1] != "end" {
		t.Fatalf("drive(ok) = %v, calls %v", err, calls)
	}
	boom := errors.New("boom")
	calls = nil
	failed := &run{start: func(_ context.Context, m *marks) error { m.begin(); return boom }}
	if err := drive(ctx, failed, begin, end); !errors.Is(err, boom) || len(calls) != 1 {
		t.Fatalf("drive(failed) = %v, calls %v", err, calls)
	}
	calls = nil
	short := &run{start: func(context.Context, *marks) error { return nil }}
	if err := drive(ctx, short, begin, end); err == nil || len(calls) != 0 {
		t.Fatalf("drive(short) = %v, calls %v", err, calls)
	}
}

// TestBenchmarks runs the benchmark bodies through testing.Benchmark, as
// cmd/ratios does: the interleaved ones, Produce's in two runs of each side
// (the second run starting with the other side), Consume's in one (its
// group joins and closes take most of the test's time), and one of the
// others (TestSides runs every side).
func TestBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, b := range []struct {
		name string
		f    func(*testing.B)
		n    int
	}{
		{"Produce/slipstream", Produce.Slipstream, 2 * chunk},
		{"Produce/interleaved", Produce.Interleaved, 2 * chunk},
		{"SendAsync/interleaved", SendAsync.Interleaved, chunk},
		{"Consume/interleaved", Consume.Interleaved, chunk},
	} {
		t.Run(b.name, func(t *testing.T) {
			r := benchtest.RunN(t, b.f, b.n)
			if r.Extra["msgs/s"] <= 0 && (r.Extra[SlipNsPerOp] <= 0 || r.Extra[BaseNsPerOp] <= 0) {
				t.Fatalf("figures missing: %v", r.Extra)
			}
		})
	}
}

// TestBrokerPlaces runs a produce run of each side against a broker of
// each place EnvBroker can choose, and checks what the benchmarks ask of
// that broker besides.
func TestBrokerPlaces(t *testing.T) {
	for _, place := range []string{"process", "inprocess"} {
		t.Run(place, func(t *testing.T) {
			t.Setenv(EnvBroker, place)
			br, err := startBroker()
			if err != nil {
				t.Fatal(err)
			}
			defer br.close()
			for name, p := range map[string]prepare{"slipstream": prepareProduceSlipstream, "confluent": prepareProduceConfluent} {
				r, err := p(br, 100)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err = drive(ctx, r, func() {}, func() {})
				cancel()
				if cerr := r.check(); err == nil {
					err = cerr // which counts the messages, and deletes the topic
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			if n, err := br.count(inTopic); err != nil || n != 0 {
				t.Fatalf("count(%s) = %d, %v; want an empty topic", inTopic, n, err)
			}
			if _, err := br.count("no-such-topic"); err == nil {
				t.Fatal("count of a missing topic: no error")
			}
		})
	}
}

func TestStartBrokerRejectsAnUnknownPlace(t *testing.T) {
	t.Setenv(EnvBroker, "elsewhere")
	if _, err := startBroker(); err == nil || !strings.Contains(err.Error(), EnvBroker) {
		t.Fatalf("startBroker = %v, want an error naming %s", err, EnvBroker)
	}
}

// TestCosts measures two pairs of Produce runs and checks that each side
// spent some wall time, CPU and no negative GC time per message, and that
// the ratio is a ratio.
func TestCosts(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	r, err := Produce.Costs(2, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Names != [2]string{"slipstream", "confluent"} {
		t.Errorf("sides %v, want slipstream and confluent", r.Names)
	}
	for i, c := range r.Costs {
		side := r.Names[i]
		if c.Wall <= 0 || c.CPU <= 0 || c.GCMark < 0 {
			t.Errorf("%s: %+v per message; want wall and CPU above zero, GC not below", side, c)
		}
	}
	if r.Pairs != 2 || r.Ratio <= 0 {
		t.Errorf("report %+v: want 2 pairs and a positive ratio", r)
	}
}

func TestUsagePerMessage(t *testing.T) {
	began := usage{wall: 10 * time.Second, cpu: 3 * time.Second, gcMark: time.Second}
	ended := usage{wall: 12 * time.Second, cpu: 7 * time.Second, gcMark: 2 * time.Second}
	spent := ended.minus(began).plus(ended.minus(began))
	if got, want := spent.perMessage(1000), (Costs{Wall: 4 * time.Millisecond, CPU: 8 * time.Millisecond, GCMark: 2 * time.Millisecond}); got != want {
		t.Fatalf("per message: %+v, want %+v", got, want)
	}
	if got := spent.perMessage(0); got != (Costs{}) {
		t.Fatalf("per message of none: %+v, want zero", got)
	}
}

// TestWarmUp checks that a benchmark's untimed first runs are made once
// per broker, a run of Chunk messages of each side.
func TestWarmUp(t *testing.T) {
	var runs []int
	p := func(_ broker, n int) (*run, error) {
		runs = append(runs, n)
		return &run{
			start: func(_ context.Context, m *marks) error { m.begin(); m.end(); return nil },
			check: func() error { return nil },
		}, nil
	}
	first, second := broker(inProcess{}), broker(&child{})
	for _, br := range []broker{first, first, second, second} {
		if err := warmUp("TestWarmUp", br, chunk, p, p); err != nil {
			t.Fatal(err)
		}
	}
	if len(runs) != 4 || runs[0] != chunk {
		t.Fatalf("runs %v: want two of %d per broker", runs, chunk)
	}
}
