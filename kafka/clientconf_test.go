package kafka

import (
	"strings"
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
	if d["fetch.queue.backoff.ms"] != 10 || d["queued.min.messages"] != 20000 {
		t.Fatalf("ConsumerDefaults = %v", d)
	}
	d["fetch.queue.backoff.ms"] = 1000
	if consumerDefaults["fetch.queue.backoff.ms"] != 10 {
		t.Fatal("changing what ConsumerDefaults returned changed the defaults")
	}
	id, _ := d["client.id"].(string)
	if !strings.HasPrefix(id, "slipstream-") || len(id) != len("slipstream-")+12 || ConsumerDefaults()["client.id"] != id {
		t.Errorf("client.id %q: want slipstream- and 12 hex digits, the same every time", id)
	}
	p := ProducerDefaults()
	if p["queue.buffering.max.kbytes"] != 65536 {
		t.Fatalf("ProducerDefaults = %v", p)
	}
	p["queue.buffering.max.kbytes"] = 1
	if producerDefaults["queue.buffering.max.kbytes"] != 65536 {
		t.Fatal("changing what ProducerDefaults returned changed the defaults")
	}
}

// TestDefaultsAreValid checks each default with librdkafka, and that it
// is a property of the client it is for, so that none is dropped or
// warned about.
func TestDefaultsAreValid(t *testing.T) {
	props := properties()
	for _, c := range []struct {
		defaults ConfigMap
		kind     scope
	}{{consumerDefaults, scopeConsumer}, {producerDefaults, scopeProducer}} {
		if err := validate(c.defaults); err != nil {
			t.Errorf("defaults %v: %v", c.defaults, err)
		}
		for k := range c.defaults {
			if s := props[k]; s != c.kind && s != scopeBoth {
				t.Errorf("default %s is not a property of the client it is for", k)
			}
		}
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
