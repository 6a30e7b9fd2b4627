// Joins: a stream–table join. Each click is joined with the name that a
// partitioned table holds for its user when the click is handled.
//
// The users topic feeds the table (its latest name per user); the clicks
// topic, co-partitioned with it and read in the same group, is joined with
// it. A click of a user the table does not know comes with no name.
//
// It uses the Kafka cluster at $KAFKA_BOOTSTRAP, or else starts a broker
// in-process, so it runs with no setup.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

type message = kafka.Message[string, string]

func main() {
	dir, err := os.MkdirTemp("", "slipstream-joins-")
	if err != nil {
		log.Fatal(err)
	}
	err = run(context.Background(), os.Stdout, dir)
	os.RemoveAll(dir)
	if err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, dir string) error {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("users", 2), kafkatest.WithTopic("clicks", 2))
	if err != nil {
		return err
	}
	defer stop()
	conf := kafka.ConfigMap{"bootstrap.servers": addr, "auto.offset.reset": "earliest", "group.id": fmt.Sprint("joins-", time.Now().UnixNano())}
	users, err := kafka.NewTopic[string, string]("users", conf)
	if err != nil {
		return err
	}
	clicks, err := kafka.NewTopic[string, string]("clicks", conf)
	if err != nil {
		return err
	}
	if err := send(ctx, users, "u1", "Ann", "u2", "Bob", "u3", "Cy"); err != nil {
		return err
	}

	names, err := state.New(ctx, "names", users, codec.StringKey(), codec.String(), &state.Options{Dir: dir})
	if err != nil {
		return err
	}
	join, err := window.JoinTable(ctx, clicks, names)
	if err != nil {
		return err
	}

	// The two topics are read at once, each at its own pace: the clicks
	// are sent once the 3 users are in the table. Both topics never end:
	// the app stops once the 5 clicks are joined, and drains.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var joined []string
	tabled, sent := 0, make(chan error, 1)
	app := stream.NewApp()
	stream.Handle(app, users, stream.Func(func(m message) state.Change[string, string] {
		return state.Put(m.Partition, m.Key, m.Value)
	}), names, sink.Func(func(context.Context, state.Change[string, string]) error {
		if tabled++; tabled == 3 {
			go func() {
				sent <- send(ctx, clicks, "u1", "home", "u2", "cart", "u3", "home", "u1", "pay", "u9", "home")
			}()
		}
		return nil
	}))
	stream.Handle(app, clicks, join, sink.Func(func(_ context.Context, j window.Joined[string, string, string]) error {
		joined = append(joined, fmt.Sprintf("%s clicked %s: %s", j.Message.Key, j.Message.Value, j.Value.OrElse("(no name)")))
		if len(joined) == 5 {
			cancel()
		}
		return nil
	}))
	if err := app.Run(runCtx); err != nil {
		return err
	}
	if tabled >= 3 { // the clicks were sent
		if err := <-sent; err != nil {
			return err
		}
	}
	slices.Sort(joined) // the two partitions are read concurrently
	for _, line := range joined {
		fmt.Fprintln(w, line)
	}
	return nil
}

// send produces key-value pairs kvs to topic, and closes its producer.
func send(ctx context.Context, topic *kafka.Topic[string, string], kvs ...string) error {
	for i := 0; i < len(kvs); i += 2 {
		if err := topic.Produce(ctx, kvs[i], kvs[i+1]); err != nil {
			return err
		}
	}
	return nil
}
