package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// TestRebalanceCommitsBeforeRevoking has a second consumer join a group
// whose only member has handled every message, with periodic commits off:
// the first must commit what it handled before it gives partitions up, so
// the second reads none of it again.
func TestRebalanceCommitsBeforeRevoking(t *testing.T) {
	for _, strategy := range []string{"range", "cooperative-sticky"} {
		t.Run(strategy, func(t *testing.T) {
			const n = 200
			b := newBroker(t, kafkatest.WithTopic("in", 4))
			ctx := testkit.Context(t, 60*time.Second)
			conf := testkit.KafkaConf(b.Addr(), "partition.assignment.strategy", strategy, "auto.commit.interval.ms", 600000)
			group := conf["group.id"].(string)
			producer := newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr()))
			produceN(t, ctx, producer, n, func(i int) string { return fmt.Sprint(i) })
			before := map[string]bool{} // partition/offset of the first n messages
			for _, p := range b.Cluster().PartitionInfos("in") {
				for o := range p.HighWatermark {
					before[fmt.Sprint(p.Partition, "/", o)] = true
				}
			}

			var mu sync.Mutex
			handled := [2]map[string]int{{}, {}}
			total := func() int {
				mu.Lock()
				defer mu.Unlock()
				seen := map[string]bool{}
				for _, h := range handled {
					for v := range h {
						seen[v] = true
					}
				}
				return len(seen)
			}
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			errc := make(chan error, 2)
			start := func(i int) {
				app := stream.NewApp()
				stream.Handle(app, newTopic[string, string](t, "in", conf), stream.Do(func(m kafka.Message[string, string]) {
					mu.Lock()
					handled[i][fmt.Sprint(m.Partition, "/", m.Offset)]++
					mu.Unlock()
				}))
				go func() { errc <- app.Run(runCtx) }()
			}

			start(0)
			testkit.Eventually(t, 20*time.Second, "the first consumer did not handle every message", func() bool { return total() == n })
			start(1)
			if _, err := b.Cluster().WaitGroupStable(ctx, group, 2); err != nil {
				t.Fatal(err)
			}
			// Both members hold partitions: new messages reach both.
			testkit.Eventually(t, 20*time.Second, "the second consumer was not given partitions", func() bool {
				info := b.Cluster().GroupInfo(group)
				return info != nil && len(info.Members) == 2 && info.Members[0].NumAssigned() > 0 && info.Members[1].NumAssigned() > 0
			})
			produceN(t, ctx, producer, n, func(i int) string { return fmt.Sprint(n + i) })
			testkit.Eventually(t, 20*time.Second, "not every message was handled", func() bool { return total() == 2*n })
			stop()
			for range 2 {
				if err := <-errc; err != nil {
					t.Fatal(err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for v := range before {
				if c := handled[1][v]; c != 0 {
					t.Errorf("the second consumer handled message %s, which the first had handled before the rebalance", v)
				}
				if c := handled[0][v]; c != 1 {
					t.Errorf("the first consumer handled message %s %d times", v, c)
				}
			}
			if len(handled[1]) == 0 {
				t.Error("the second consumer handled nothing")
			}
		})
	}
}
