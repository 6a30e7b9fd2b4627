package window_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

func send(t *testing.T, ctx context.Context, b *kafkatest.Broker, topic string, kvs ...string) {
	t.Helper()
	tp, err := kafka.NewTopic[string, string](topic, testkit.KafkaConf(b.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close(ctx)
	for i := 0; i < len(kvs); i += 2 {
		if err := tp.Produce(ctx, kvs[i], kvs[i+1]); err != nil {
			t.Fatal(err)
		}
	}
}

// Each click is joined with the user's name in the table, on both
// partitions; a click of a user the table does not know has no value.
func TestJoinTable(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("users", 2), kafkatest.WithTopic("clicks", 2))
	ctx := testkit.Context(t, 60*time.Second)
	group := testkit.UniqueName("join")
	send(t, ctx, b, "users", "u1", "Ann", "u2", "Bob", "u3", "Cy", "u4", "Di")

	users, err := kafka.NewTopic[string, string]("users", testkit.KafkaConf(b.Addr(), "group.id", group))
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := kafka.NewTopic[string, string]("clicks", testkit.KafkaConf(b.Addr(), "group.id", group))
	if err != nil {
		t.Fatal(err)
	}
	names, err := state.New(ctx, "names", users, codec.StringKey(), codec.String(), &state.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	join, err := window.JoinTable(ctx, clicks, names)
	if err != nil {
		t.Fatal(err)
	}
	joined := sink.Collect[window.Joined[string, string, string]]()
	app := stream.NewApp()
	stream.Handle(app, users, stream.Func(func(m kafka.Message[string, string]) state.Change[string, string] {
		return state.Put(m.Partition, m.Key, m.Value)
	}), names)
	stream.Handle(app, clicks, join, joined)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Run(runCtx) }()

	// The clicks come once the table holds every user.
	testkit.Eventually(t, 30*time.Second, "the users in the table", func() bool {
		for _, p := range []int32{0, 1} {
			if !slices.Contains(names.Held(), p) {
				return false
			}
		}
		n := 0
		for _, p := range names.Held() {
			it, _ := names.Iter(p)
			for range it.Keys() {
				n++
			}
		}
		return n == 4
	})
	send(t, ctx, b, "clicks", "u1", "home", "u2", "cart", "u3", "home", "u4", "pay", "u9", "home")
	testkit.Eventually(t, 30*time.Second, "5 clicks joined", func() bool { return joined.Len() == 5 })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var got []string
	parts := map[int32]bool{}
	for _, j := range joined.Items() {
		got = append(got, fmt.Sprintf("%s %s %s", j.Message.Key, j.Message.Value, j.Value.OrElse("?")))
		parts[j.Message.Partition] = true
	}
	slices.Sort(got)
	expect(t, "joined", got, "u1 home Ann", "u2 cart Bob", "u3 home Cy", "u4 pay Di", "u9 home ?")
	if len(parts) != 2 {
		t.Errorf("the clicks came from partitions %v, want both", parts)
	}
}

// A stream and a table partitioned differently cannot be joined.
func TestJoinTableNotCopartitioned(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("users", 2), kafkatest.WithTopic("clicks", 3))
	ctx := testkit.Context(t, 30*time.Second)
	conf := testkit.KafkaConf(b.Addr())
	users, err := kafka.NewTopic[string, string]("users", conf)
	if err != nil {
		t.Fatal(err)
	}
	clicks, err := kafka.NewTopic[string, string]("clicks", conf)
	if err != nil {
		t.Fatal(err)
	}
	names, err := state.New(ctx, "names", users, codec.StringKey(), codec.String(), &state.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer names.Close(ctx)
	_, err = window.JoinTable(ctx, clicks, names)
	if err == nil || !strings.Contains(err.Error(), "clicks has 3 partitions") || !strings.Contains(err.Error(), "co-partitioned") {
		t.Errorf("JoinTable of 3 partitions with a table of 2: %v, want an error saying they are not co-partitioned", err)
	}
}
