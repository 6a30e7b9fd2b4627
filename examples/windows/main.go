// Windows: a count per emoji in tumbling windows of 10 s of event time,
// from a Kafka topic, with a grace period of 5 s for late emoji.
//
// Each message's timestamp is its event time. A window closes once stream
// time (the latest event time seen) has passed its end by the grace
// period: the 📞 at 00:09 arrives after the 🐟 at 00:12 and still counts,
// while the 🏆 at 00:04 arrives after the 👌 at 00:16 has closed its
// window, and goes to the late sink. Each window's count is printed once,
// when it closes; the window of the 👌 at 00:31 stays open, since no
// later emoji closes it.
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
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

type emoji = kafka.Message[string, string]

// start is the event time the example's clock starts at.
var start = time.Date(2024, time.June, 1, 12, 0, 0, 0, time.UTC)

// clock formats t as minutes and seconds since start.
func clock(t time.Time) string {
	d := t.Sub(start)
	return fmt.Sprintf("%02d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// sent is what the producer sends: emoji at their event times, in seconds.
var sent = []struct {
	emoji string
	at    int
}{
	{"🏆", 1}, {"📞", 3}, {"🏆", 8}, {"🐟", 12}, {"📞", 9}, {"👌", 16}, {"🏆", 4}, {"🐟", 19}, {"👌", 31},
}

func main() {
	dir, err := os.MkdirTemp("", "slipstream-windows-")
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
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji-times", 1))
	if err != nil {
		return err
	}
	defer stop()
	conf := kafka.ConfigMap{"bootstrap.servers": addr, "auto.offset.reset": "earliest", "group.id": "windows-" + fmt.Sprint(time.Now().UnixNano())}
	topic, err := kafka.NewTopic[string, string]("emoji-times", conf)
	if err != nil {
		return err
	}
	defer topic.Close(ctx)
	if err := produce(ctx, topic); err != nil {
		return err
	}

	table, err := window.NewTable(ctx, "emoji-counts", topic, &state.Options{Dir: dir})
	if err != nil {
		return err
	}
	late := sink.Func(func(_ context.Context, m emoji) error {
		_, err := fmt.Fprintf(w, "late: %s at %s, its window closed\n", m.Key, clock(m.Timestamp))
		return err
	})
	counts, err := window.New(window.Tumbling(10*time.Second).WithGrace(5*time.Second),
		window.Messages[string, string](codec.StringKey()), window.Count[emoji](), table,
		&window.Options[emoji]{Emit: window.EmitFinal, Late: late})
	if err != nil {
		return err
	}

	// The topic never ends: stop once every emoji sent has been read; the
	// app then drains, handling what it read.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := 0
	input := stream.Map(topic, func(m emoji) emoji {
		if read++; read == len(sent) {
			cancel()
		}
		return m
	})
	app := stream.NewApp()
	window.Handle(app, input, counts, sink.Func(func(_ context.Context, r window.Result[string, int64]) error {
		_, err := fmt.Fprintf(w, "window %s-%s: %s %d\n", clock(r.Start), clock(r.End), r.Key, r.Value)
		return err
	}))
	if err := app.Run(ctx); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "late emoji: %d\n", counts.Late())
	return err
}

// produce sends the emoji, each with its event time as its timestamp.
func produce(ctx context.Context, topic *kafka.Topic[string, string]) error {
	for _, e := range sent {
		m := kafka.NewMessage(e.emoji, e.emoji)
		m.Timestamp = start.Add(time.Duration(e.at) * time.Second)
		if err := topic.Send(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
