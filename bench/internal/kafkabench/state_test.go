package kafkabench

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	"github.com/slipstream-go/slipstream/bench/internal/benchtest"
)

// TestStateSides runs every side of Restore and Count once, one after the
// other (goka's and the raw consumer's group joins take most of the
// time), and checks their marks and the runs' own checks: what each
// restored, or counted, is right.
func TestStateSides(t *testing.T) {
	br, err := theBroker()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range StateComparisons {
		for _, s := range c.sides {
			t.Run(c.Name+"/"+s.name, func(t *testing.T) {
				n := c.size()
				r, err := s.prepare(br, n)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
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
				t.Logf("%d ops in %v", n, ended.Sub(began))
			})
		}
	}
}

// TestKeyPartitionIsGokas checks that keyPartition puts every key where
// goka's default producer would.
func TestKeyPartitionIsGokas(t *testing.T) {
	sp := sarama.NewCustomHashPartitioner(goka.DefaultHasher())(countTopic)
	for _, k := range counterKeys {
		want, err := sp.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(k)}, Partitions)
		if err != nil {
			t.Fatal(err)
		}
		if got := keyPartition(k); got != want {
			t.Fatalf("key %s: partition %d, goka's %d", k, got, want)
		}
	}
}

// TestStateBenchmarks runs the interleaved bodies through
// testing.Benchmark, as cmd/ratios does: one run of each side.
func TestStateBenchmarks(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, c := range StateComparisons {
		t.Run(c.Name, func(t *testing.T) {
			r := benchtest.RunN(t, c.Interleaved, c.size())
			for _, s := range c.Sides() {
				if r.Extra[NsPerOp(s)] <= 0 {
					t.Fatalf("figures missing: %v", r.Extra)
				}
			}
		})
	}
}
