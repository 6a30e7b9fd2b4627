package kafka_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/kafka"
)

func TestConfMergesDefaultsIntoSnapshots(t *testing.T) {
	kafka.ResetConf()
	t.Cleanup(kafka.ResetConf)

	kafka.Conf(kafka.ConfigMap{
		"bootstrap_servers": "localhost:29091",
		"group_id":          "default-demo",
	})
	topic1, err := kafka.NewTopic[string, string]("emoji", kafka.ConfigMap{"bootstrap_servers": "localhost:29092"})
	if err != nil {
		t.Fatal(err)
	}
	kafka.Conf(kafka.ConfigMap{
		"security_protocol":   "SASL_SSL",
		"sasl_mechanism":      "PLAIN",
		"sasl_plain_username": "myuser",
		"sasl_plain_password": "mypass",
	})
	topic2, err := kafka.NewTopic[string, string]("conf", kafka.ConfigMap{"group_id": "demo"})
	if err != nil {
		t.Fatal(err)
	}

	if got, want := fmt.Sprint(topic1.Conf()), "map[bootstrap.servers:localhost:29092 group.id:default-demo]"; got != want {
		t.Errorf("topic1.Conf() = %s, want %s", got, want)
	}
	want2 := "map[bootstrap.servers:localhost:29091 group.id:demo sasl.mechanism:PLAIN sasl.password:[redacted] sasl.username:myuser security.protocol:SASL_SSL]"
	if got := fmt.Sprint(topic2.Conf()); got != want2 {
		t.Errorf("topic2.Conf() = %s, want %s", got, want2)
	}
	// The snapshot keeps the secret; only printing hides it.
	if got := topic2.Conf()["sasl.password"]; got != "mypass" {
		t.Errorf(`topic2.Conf()["sasl.password"] = %v, want mypass`, got)
	}
	// Later defaults do not change existing topics, and Conf returns the merged defaults.
	defaults := kafka.Conf(kafka.ConfigMap{"client.id": "later"})
	if _, ok := topic1.Conf()["client.id"]; ok {
		t.Error("a later Conf changed an existing topic")
	}
	if defaults["client.id"] != "later" || defaults["bootstrap.servers"] != "localhost:29091" {
		t.Errorf("Conf returned %v", defaults)
	}
	// A topic's conf is a copy.
	topic1.Conf()["group.id"] = "changed"
	if topic1.Conf()["group.id"] != "default-demo" {
		t.Error("changing the map Conf returned changed the topic")
	}
}

func TestConfAliases(t *testing.T) {
	kafka.ResetConf()
	t.Cleanup(kafka.ResetConf)
	topic, err := kafka.NewTopic[string, string]("t", kafka.ConfigMap{
		"bootstrap_servers":  "a:1",
		"bootstrap.servers":  "b:2", // librdkafka's name wins over an alias
		"group_instance_id":  "i",
		"auto_offset_reset":  "earliest",
		"session_timeout_ms": 7000,    // any underscore spelling of a librdkafka property
		"sasl.mechanisms":    "PLAIN", // librdkafka's own alias
	})
	if err != nil {
		t.Fatal(err)
	}
	conf := topic.Conf()
	for k, v := range map[string]any{
		"bootstrap.servers": "b:2", "group.instance.id": "i", "auto.offset.reset": "earliest",
		"session.timeout.ms": 7000, "sasl.mechanism": "PLAIN",
	} {
		if conf[k] != v {
			t.Errorf("conf[%q] = %v, want %v (conf %v)", k, conf[k], v, conf)
		}
	}
	if len(conf) != 5 {
		t.Errorf("conf has %d keys, want 5: %v", len(conf), conf)
	}
	kafka.Conf(kafka.ConfigMap{"metadata.broker.list": "c:3"})
	if got := kafka.Conf(nil); got["bootstrap.servers"] != "c:3" || len(got) != 1 {
		t.Errorf("metadata.broker.list: defaults %v", got)
	}
}

func TestConfErrors(t *testing.T) {
	kafka.ResetConf()
	t.Cleanup(kafka.ResetConf)
	for _, tc := range []struct {
		conf kafka.ConfigMap
		want string
	}{
		{kafka.ConfigMap{"bootstrap.servers": "a:1", "max_poll_records": 10}, `topic orders: unknown configuration key "max_poll_records"`},
		{kafka.ConfigMap{"bootsrap.servers": "a:1"}, `topic orders: unknown configuration key "bootsrap.servers"`},
		{kafka.ConfigMap{"auto.offset.reset": "earliestt"}, `topic orders: configuration key "auto.offset.reset": `},
		{kafka.ConfigMap{"session.timeout.ms": []int{1}}, `topic orders: configuration key "session.timeout.ms": value of type []int`},
		{kafka.ConfigMap{"enable.auto.offset.store": true}, `topic orders: configuration key "enable.auto.offset.store" cannot be set`},
		{kafka.ConfigMap{"go.events.channel.enable": true}, `topic orders: configuration key "go.events.channel.enable"`},
	} {
		_, err := kafka.NewTopic[string, string]("orders", tc.conf)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewTopic with %v: error %v, want one containing %q", tc.conf, err, tc.want)
		}
	}
	// A bad key in the defaults is reported by the topic that takes it.
	kafka.Conf(kafka.ConfigMap{"no.such.key": 1})
	_, err := kafka.NewTopic[string, string]("orders", nil)
	if err == nil || !strings.Contains(err.Error(), `topic orders: unknown configuration key "no.such.key"`) {
		t.Errorf("NewTopic with a bad default: %v", err)
	}
}

func TestConfRedactsSecrets(t *testing.T) {
	conf := kafka.ConfigMap{
		"sasl.password":                  "p1",
		"ssl.key.password":               "p2",
		"sasl.oauthbearer.client.secret": "p3",
		"ssl.key.pem":                    "p4",
		"sasl.oauthbearer.config":        "p5",
		"sasl.username":                  "me",
	}
	topic, err := kafka.NewTopic[string, string]("t", conf)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("conf", "conf", conf)
	for _, s := range []string{fmt.Sprint(conf), fmt.Sprintf("%v", conf), fmt.Sprintf("%+v", conf), fmt.Sprintf("%#v", conf), fmt.Sprintf("%s", conf), logged.String(),
		fmt.Sprint(topic), fmt.Sprintf("%+v", topic), fmt.Sprintf("%#v", topic)} {
		for _, secret := range []string{"p1", "p2", "p3", "p4", "p5"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows secret %s", s, secret)
			}
		}
		if !strings.Contains(s, "me") && !strings.Contains(strings.ToLower(s), "topic") {
			t.Errorf("%s hides the user name", s)
		}
	}
}

func TestNewTopicOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		opts []kafka.Option
		want string
	}{
		{[]kafka.Option{kafka.WithOffset(kafka.At(-1))}, "invalid offset -1"},
		{[]kafka.Option{kafka.WithOffset(kafka.PerPartition(map[int32]int64{0: -5}))}, "invalid offset -5 for partition 0"},
		{[]kafka.Option{kafka.WithOffset(kafka.PerPartition(nil))}, "no partitions"},
		{[]kafka.Option{kafka.WithBadInput(kafka.DeadLetter("orders"))}, "dead-letter topic is the topic itself"},
	} {
		_, err := kafka.NewTopic[string, string]("orders", nil, tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "topic orders") {
			t.Errorf("error %v, want one naming the topic and containing %q", err, tc.want)
		}
	}
	if _, err := kafka.NewTopic[int, string]("orders", nil); err == nil || !strings.Contains(err.Error(), "no key codec for type int") {
		t.Errorf("int keys without a codec: %v", err)
	}
}
