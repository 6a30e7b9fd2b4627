package kafka_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// badInput sets up topic "in" holding {"n":0}, "not json", {"n":2}, and
// returns the broker and a configuration in a new group.
func badInput(t *testing.T, ctx context.Context) (*kafkatest.Broker, kafka.ConfigMap) {
	b := newBroker(t, kafkatest.WithTopic("in", 1), kafkatest.WithTopic("in-dlq", 1))
	raw := newTopic[string, []byte](t, "in", testkit.KafkaConf(b.Addr()))
	for _, v := range []string{`{"n":0}`, `not json`, `{"n":2}`} {
		if err := raw.Produce(ctx, "key", []byte(v), kafka.Header{Key: "origin", Value: []byte("test")}); err != nil {
			t.Fatal(err)
		}
	}
	return b, testkit.KafkaConf(b.Addr())
}

// handleJSON reads "in" as JSON with the given policy until it has handled
// want messages, or the app fails; it returns what was handled and Run's
// error.
func handleJSON(t *testing.T, ctx context.Context, conf kafka.ConfigMap, policy kafka.BadInput, want int) (*kafka.Topic[string, map[string]int], []int64, error) {
	topic := newTopic[string, map[string]int](t, "in", conf,
		kafka.WithValueCodec(codec.JSON[map[string]int]()), kafka.WithBadInput(policy))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var handled []int64
	app := stream.NewApp()
	stream.Handle(app, topic, stream.Do(func(m kafka.Message[string, map[string]int]) {
		handled = append(handled, m.Offset)
		if int64(m.Value["n"]) != m.Offset {
			t.Errorf("message at %d has n=%d", m.Offset, m.Value["n"])
		}
		if len(handled) == want {
			stop()
		}
	}))
	err := app.Run(runCtx)
	return topic, handled, err
}

func TestBadInputStops(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b, conf := badInput(t, ctx)
	_, handled, err := handleJSON(t, ctx, conf, kafka.StopOnBadInput, -1)
	var derr *kafka.DecodeError
	if !errors.As(err, &derr) {
		t.Fatalf("Run returned %v, want a *kafka.DecodeError", err)
	}
	if derr.Topic != "in" || derr.Partition != 0 || derr.Offset != 1 || derr.Field != "value" || derr.Codec != "json" {
		t.Errorf("DecodeError %+v", derr)
	}
	if !containsAll(err.Error(), "topic in partition 0 offset 1", "cannot decode value with codec json") {
		t.Errorf("error %q does not say where and why", err)
	}
	if len(handled) != 1 || handled[0] != 0 {
		t.Errorf("handled %v, want [0]", handled)
	}
	// The bad message is not committed: a restart meets it again.
	if got := committed(b, conf["group.id"].(string), "in"); got[0] != 1 {
		t.Errorf("committed %v, want in/0 at 1", got)
	}

	// A key the key codec cannot decode is reported as such.
	keyed := newTopic[int64, string](t, "in", testkit.KafkaConf(b.Addr()), kafka.WithKeyCodec(codec.Int[int64]()))
	app := stream.NewApp()
	stream.Handle(app, keyed, stream.Do(func(kafka.Message[int64, string]) {}))
	err = app.Run(ctx)
	if !errors.As(err, &derr) || derr.Field != "key" || derr.Codec != "int" || derr.Offset != 0 {
		t.Errorf("bad key: %v", err)
	}
}

func TestBadInputSkips(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b, conf := badInput(t, ctx)
	topic, handled, err := handleJSON(t, ctx, conf, kafka.SkipBadInput, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(handled) != 2 || handled[0] != 0 || handled[1] != 2 {
		t.Errorf("handled %v, want [0 2]", handled)
	}
	if topic.Skipped() != 1 {
		t.Errorf("Skipped() = %d, want 1", topic.Skipped())
	}
	if got := committed(b, conf["group.id"].(string), "in"); got[0] != 3 {
		t.Errorf("committed %v, want in/0 at 3", got)
	}
}

func TestBadInputDeadLetters(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b, conf := badInput(t, ctx)
	_, handled, err := handleJSON(t, ctx, conf, kafka.DeadLetter("in-dlq"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(handled) != 2 || handled[0] != 0 || handled[1] != 2 {
		t.Errorf("handled %v, want [0 2]", handled)
	}
	if got := committed(b, conf["group.id"].(string), "in"); got[0] != 3 {
		t.Errorf("committed %v, want in/0 at 3", got)
	}
	dl := collect(t, ctx, newTopic[string, string](t, "in-dlq", testkit.KafkaConf(b.Addr())), 1)[0]
	if dl.Key != "key" || dl.Value != "not json" {
		t.Errorf("dead letter %q %q, want the message as it came", dl.Key, dl.Value)
	}
	headers := map[string]string{}
	for _, h := range dl.Headers {
		headers[h.Key] = string(h.Value)
	}
	if headers["origin"] != "test" || headers[kafka.HeaderTopic] != "in" || headers[kafka.HeaderPartition] != "0" || headers[kafka.HeaderOffset] != "1" ||
		!containsAll(headers[kafka.HeaderError], "offset 1", "codec json") {
		t.Errorf("dead letter headers %q", headers)
	}
}

func TestBadInputCommittedOnlyOnceDeadLettered(t *testing.T) {
	ctx := testkit.Context(t, 60*time.Second)
	b, conf := badInput(t, ctx)
	// The dead-letter topic refuses every message.
	b.Cluster().Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "in-dlq", Err: kerr.InvalidRecord, Count: -1})
	_, handled, err := handleJSON(t, ctx, conf, kafka.DeadLetter("in-dlq"), -1)
	if err == nil || !containsAll(err.Error(), "topic in", "dead-lettering partition 0 offset 1 to topic in-dlq") {
		t.Fatalf("Run returned %v, want a dead-lettering error", err)
	}
	if len(handled) == 0 || handled[0] != 0 {
		t.Errorf("handled %v", handled)
	}
	// Message 2 may have been handled, but 1 was never dead-lettered.
	if got := committed(b, conf["group.id"].(string), "in"); got[0] != 1 {
		t.Errorf("committed %v, want in/0 at 1", got)
	}
}
