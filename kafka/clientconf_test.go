package kafka

import (
	"testing"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// TestClientConfigLayersDefaultsConfAndExtra checks the order in which a
// client's configuration is made: the Topic's defaults, then the user's
// configuration over them, then the settings the Topic needs over both;
// properties of the other kind of client are left out.
func TestClientConfigLayersDefaultsConfAndExtra(t *testing.T) {
	conf := ConfigMap{
		"bootstrap.servers":      "localhost:9092",
		"fetch.queue.backoff.ms": 250,   // the user's, over the default
		"linger.ms":              5,     // a producer property: not for a consumer
		"enable.auto.commit":     false, // kept, as a string
	}
	defaults := ConfigMap{"fetch.queue.backoff.ms": 10, "queued.min.messages": 1000}
	extra := ckafka.ConfigMap{"enable.auto.commit": true}
	got := *clientConfig(conf, scopeConsumer, defaults, extra)
	want := ckafka.ConfigMap{
		"bootstrap.servers":      "localhost:9092",
		"fetch.queue.backoff.ms": "250",
		"queued.min.messages":    "1000",
		"enable.auto.commit":     true,
	}
	if len(got) != len(want) {
		t.Fatalf("config %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v (%T), want %v (%T)", k, got[k], got[k], v, v)
		}
	}
}

func TestConsumerDefaults(t *testing.T) {
	d := ConsumerDefaults()
	if d["fetch.queue.backoff.ms"] != 10 {
		t.Fatalf("fetch.queue.backoff.ms = %v, want 10", d["fetch.queue.backoff.ms"])
	}
	d["fetch.queue.backoff.ms"] = 1000
	if consumerDefaults["fetch.queue.backoff.ms"] != 10 {
		t.Fatal("changing what ConsumerDefaults returned changed the defaults")
	}
}

// TestConsumerConfig checks that a Topic's consumer gets the consumer
// defaults unless the topic's configuration sets them, and stores its
// offsets itself whatever the configuration says.
func TestConsumerConfig(t *testing.T) {
	logs := make(chan ckafka.LogEvent)
	got := *consumerConfig(ConfigMap{"group.id": "g", "enable.auto.offset.store": true}, "", logs)
	if got["fetch.queue.backoff.ms"] != "10" || got["group.id"] != "g" || got["enable.auto.offset.store"] != false {
		t.Errorf("consumer config %v: want fetch.queue.backoff.ms 10, group.id g, enable.auto.offset.store false", got)
	}
	got = *consumerConfig(ConfigMap{"fetch.queue.backoff.ms": 500}, "", logs)
	if got["fetch.queue.backoff.ms"] != "500" {
		t.Errorf("fetch.queue.backoff.ms = %v with 500 configured, want 500", got["fetch.queue.backoff.ms"])
	}
	// A static member joins with the id derived from its instance name;
	// a dynamic one with none, even if the configuration names "".
	got = *consumerConfig(ConfigMap{"group.instance.id": "w1"}, "w1-in", logs)
	if got["group.instance.id"] != "w1-in" {
		t.Errorf("group.instance.id = %v, want w1-in", got["group.instance.id"])
	}
	got = *consumerConfig(ConfigMap{"group.instance.id": ""}, "", logs)
	if id, ok := got["group.instance.id"]; ok {
		t.Errorf("group.instance.id = %q for a dynamic member, want none", id)
	}
}
