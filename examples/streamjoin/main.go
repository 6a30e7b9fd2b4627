// Streamjoin: a windowed stream–stream join. Each ad click is paired with
// the impressions of the same ad shown within 10 seconds of it, before or
// after (Kafka Streams' JoinWindows).
//
// The impressions and clicks topics are co-partitioned and read in one
// consumer group; each side's records wait in a partitioned table (a
// RocksDB shard per partition, with a changelog) until stream time leaves
// them behind. A click with no impression within 10 s pairs with nothing.
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
	"sync"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// An event is an ad's impression or click, at a second of the day.
type event struct {
	ad, what string
	at       int
}

var (
	day         = time.Date(2024, time.June, 1, 12, 0, 0, 0, time.UTC)
	impressions = []event{{"ad1", "banner", 0}, {"ad2", "video", 5}, {"ad3", "banner", 20}, {"ad1", "sidebar", 30}}
	clicks      = []event{{"ad1", "click", 8}, {"ad2", "click", 16}, {"ad3", "click", 14}, {"ad1", "click", 33}}
)

// The pairs: ad1 at 0 and 8, ad1 at 30 and 33, ad3 at 20 and 14; ad2 is
// clicked 11 s after its impression, ad1 at 8 is 22 s before the sidebar.
const pairs = 3

func main() {
	dir, err := os.MkdirTemp("", "slipstream-streamjoin-")
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
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("impressions", 2), kafkatest.WithTopic("clicks", 2))
	if err != nil {
		return err
	}
	defer stop()
	conf := kafka.ConfigMap{"bootstrap.servers": addr, "auto.offset.reset": "earliest", "group.id": fmt.Sprint("streamjoin-", time.Now().UnixNano())}
	shown, err := kafka.NewTopic[string, string]("impressions", conf)
	if err != nil {
		return err
	}
	clicked, err := kafka.NewTopic[string, string]("clicks", conf)
	if err != nil {
		return err
	}
	// Within 10 s of each other; a record may come up to a minute behind
	// the latest one seen and still be joined.
	joins := window.JoinWindows{Within: 10 * time.Second, Grace: time.Minute}
	codecs := window.JoinCodecs[string, string, string]{Keys: codec.StringKey(), Left: codec.String(), Right: codec.String()}
	join, err := window.JoinStreams(ctx, "adclicks", shown, clicked, joins, codecs, &state.Options{Dir: dir})
	if err != nil {
		return err
	}
	if err := send(ctx, shown, impressions); err != nil {
		return err
	}
	if err := send(ctx, clicked, clicks); err != nil {
		return err
	}

	// Both topics never end: the app stops once the pairs are in.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex // the pairs come from the handlers of both topics
		lines []string
	)
	app := stream.NewApp()
	window.HandleJoin(app, join, sink.Func(func(_ context.Context, p window.Pair[string, string, string]) error {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf("%s: %s at %s, clicked at %s", p.Left.Key, p.Left.Value, clock(p.Left.Timestamp), clock(p.Right.Timestamp)))
		if len(lines) == pairs {
			cancel()
		}
		return nil
	}))
	if err := app.Run(runCtx); err != nil {
		return err
	}
	slices.Sort(lines) // the two topics' partitions are read concurrently
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintf(w, "%d pairs, %d late\n", len(lines), join.Late())
	return nil
}

// send produces events to topic, each at its time.
func send(ctx context.Context, topic *kafka.Topic[string, string], evs []event) error {
	for _, e := range evs {
		m := kafka.NewMessage(e.ad, e.what)
		m.Timestamp = day.Add(time.Duration(e.at) * time.Second)
		if err := topic.Send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func clock(t time.Time) string { return t.UTC().Format(time.TimeOnly) }
