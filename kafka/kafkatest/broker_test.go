package kafkatest_test

import (
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

func TestAddr(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithBrokers(3))
	addrs := strings.Split(b.Addr(), ",")
	if len(addrs) != 3 {
		t.Fatalf("Addr() = %q, want 3 addresses", b.Addr())
	}
	for _, a := range addrs {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("address %q is not on 127.0.0.1", a)
		}
	}
}

func TestTopics(t *testing.T) {
	b := kafkatest.NewBroker(t, kafkatest.WithTopic("a", 2), kafkatest.WithTopic("b", 5))
	b.CreateTopic(t, "c", 3)
	for topic, want := range map[string]int{"a": 2, "b": 5, "c": 3} {
		if got := len(b.Cluster().PartitionInfos(topic)); got != want {
			t.Errorf("topic %q has %d partitions, want %d", topic, got, want)
		}
	}
}

func TestStartErrors(t *testing.T) {
	for name, opt := range map[string]kafkatest.Option{
		"no brokers":    kafkatest.WithBrokers(0),
		"no partitions": kafkatest.WithTopic("t", 0),
		"no topic name": kafkatest.WithTopic("", 1),
	} {
		b, err := kafkatest.Start(opt)
		if err == nil {
			b.Close()
			t.Errorf("%s: Start succeeded, want an error", name)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	b, err := kafkatest.Start()
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	b.Close()
}

func TestBootstrap(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		t.Setenv(kafkatest.EnvBootstrap, "")
		if addr := kafkatest.Bootstrap(t); !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("Bootstrap() = %q, want an embedded broker", addr)
		}
	})

	t.Run("external", func(t *testing.T) {
		ext := kafkatest.NewBroker(t, kafkatest.WithTopic("exists", 1))
		t.Setenv(kafkatest.EnvBootstrap, ext.Addr())
		addr := kafkatest.Bootstrap(t, kafkatest.WithTopic("exists", 4), kafkatest.WithTopic("new", 2))
		if addr != ext.Addr() {
			t.Errorf("Bootstrap() = %q, want %s=%q", addr, kafkatest.EnvBootstrap, ext.Addr())
		}
		// Existing topics are left alone, missing ones created.
		for topic, want := range map[string]int{"exists": 1, "new": 2} {
			if got := len(ext.Cluster().PartitionInfos(topic)); got != want {
				t.Errorf("topic %q has %d partitions, want %d", topic, got, want)
			}
		}
	})
}

func TestBootstrapOrStart(t *testing.T) {
	t.Setenv(kafkatest.EnvBootstrap, "")
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("t", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("BootstrapOrStart() = %q, want an embedded broker", addr)
	}

	ext := kafkatest.NewBroker(t)
	t.Setenv(kafkatest.EnvBootstrap, ext.Addr())
	addr, stop, err = kafkatest.BootstrapOrStart(kafkatest.WithTopic("t", 3))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if addr != ext.Addr() {
		t.Errorf("BootstrapOrStart() = %q, want %q", addr, ext.Addr())
	}
	if got := len(ext.Cluster().PartitionInfos("t")); got != 3 {
		t.Errorf("topic has %d partitions, want 3", got)
	}
}
