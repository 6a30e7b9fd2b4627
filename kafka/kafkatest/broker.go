package kafkatest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// A Broker is a Kafka cluster served in-process on 127.0.0.1.
// Create one with [NewBroker] in tests or [Start] elsewhere.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// An Option configures a [Broker] created by [NewBroker], [Start],
// [Bootstrap] or [BootstrapOrStart].
type Option func(*config)

type config struct {
	brokers    int
	ports      []int
	topics     []topic
	users      []saslUser
	autoCreate bool
	extra      []kfake.Opt
}

type topic struct {
	name       string
	partitions int
}

type saslUser struct {
	name, pass string
}

// WithBrokers sets the number of brokers in the cluster; the default is one.
// Each broker listens on its own random port.
func WithBrokers(n int) Option {
	return func(c *config) { c.brokers = n }
}

// WithPorts sets the ports the brokers listen on, one broker per port,
// overriding [WithBrokers]. A port of 0 picks a random free port.
// Tests should leave ports random; fixed ports suit commands and examples.
func WithPorts(ports ...int) Option {
	return func(c *config) { c.ports = ports }
}

// WithTopic creates topic name with the given number of partitions
// when the cluster starts. Partitions must be at least one.
func WithTopic(name string, partitions int) Option {
	return func(c *config) { c.topics = append(c.topics, topic{name, partitions}) }
}

// WithSASLPlain requires clients to authenticate with SASL PLAIN and adds
// a user who may do anything. Use it more than once for more users.
// A wrong password for one of these users is refused as Kafka refuses it,
// which librdkafka reports as an error event with code ErrAuthentication;
// an unknown user name makes the broker drop the connection instead,
// which librdkafka reports as ErrTransport.
func WithSASLPlain(user, pass string) Option {
	return func(c *config) { c.users = append(c.users, saslUser{user, pass}) }
}

// WithAutoCreateTopics makes the cluster create a topic, with ten
// partitions, the first time a client asks for its metadata and allows
// topic creation, as Kafka does with auto.create.topics.enable=true.
// librdkafka producers allow it by default; consumers do only with
// allow.auto.create.topics=true.
func WithAutoCreateTopics() Option {
	return func(c *config) { c.autoCreate = true }
}

// WithClusterOptions passes options straight to [kfake.NewCluster],
// after the ones the other options translate to. It reaches what this
// package does not wrap, such as [kfake.BrokerConfigs],
// [kfake.GroupMinSessionTimeout] or [kfake.WithLogger].
func WithClusterOptions(opts ...kfake.Opt) Option {
	return func(c *config) { c.extra = append(c.extra, opts...) }
}

// NewBroker starts a [Broker] and closes it when t and its subtests
// finish. It stops the test with t.Fatal if the broker cannot start,
// so, like t.Fatal, it must be called from the test's goroutine.
func NewBroker(t testing.TB, opts ...Option) *Broker {
	t.Helper()
	b, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// Start starts a [Broker] outside of a test, for examples and commands.
// The caller must call [Broker.Close] when done with it.
func Start(opts ...Option) (*Broker, error) {
	cfg := config{brokers: 1}
	for _, opt := range opts {
		opt(&cfg)
	}
	kopts, err := cfg.kfakeOptions()
	if err != nil {
		return nil, fmt.Errorf("kafkatest: %w", err)
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("kafkatest: starting cluster: %w", err)
	}
	if len(cfg.users) > 0 {
		rejectWrongPasswords(c, cfg.users)
	}
	return &Broker{cluster: c, addr: strings.Join(c.ListenAddrs(), ",")}, nil
}

func (cfg *config) kfakeOptions() ([]kfake.Opt, error) {
	if cfg.brokers < 1 && len(cfg.ports) == 0 {
		return nil, fmt.Errorf("%d brokers, want at least one", cfg.brokers)
	}
	opts := []kfake.Opt{kfake.NumBrokers(cfg.brokers)}
	if len(cfg.ports) > 0 {
		opts = append(opts, kfake.Ports(cfg.ports...))
	}
	for _, t := range cfg.topics {
		if t.name == "" {
			return nil, errors.New("topic with an empty name")
		}
		if t.partitions < 1 {
			return nil, fmt.Errorf("topic %q: %d partitions, want at least one", t.name, t.partitions)
		}
		opts = append(opts, kfake.SeedTopics(int32(t.partitions), t.name))
	}
	if len(cfg.users) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range cfg.users {
			opts = append(opts, kfake.Superuser("PLAIN", u.name, u.pass))
		}
	}
	if cfg.autoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	return append(opts, cfg.extra...), nil
}

// Addr returns the cluster's bootstrap address list, suitable for
// librdkafka's bootstrap.servers: "127.0.0.1:port" for each broker,
// separated by commas.
func (b *Broker) Addr() string { return b.addr }

// Cluster returns the underlying fake cluster, for what this package does
// not wrap: fault injection with [kfake.Cluster.Fault] or
// [kfake.Cluster.ControlKey], moving partition leaders, inspecting groups
// with [kfake.Cluster.GroupInfo], and so on. The cluster belongs to b:
// close b, not the cluster, and do not use the cluster after b is closed,
// since most of its methods then block forever.
func (b *Broker) Cluster() *kfake.Cluster { return b.cluster }

// CreateTopic creates topic name with the given number of partitions,
// stopping the test with t.Fatal if that fails, for instance because
// the topic exists.
func (b *Broker) CreateTopic(t testing.TB, name string, partitions int) {
	t.Helper()
	if partitions < 1 {
		t.Fatalf("kafkatest: topic %q: %d partitions, want at least one", name, partitions)
	}
	if err := b.cluster.CreateTopic(name, int32(partitions), nil); err != nil {
		t.Fatalf("kafkatest: creating topic %q: %v", name, err)
	}
}

// Close shuts the cluster down and drops open client connections.
// It is safe to call more than once.
func (b *Broker) Close() { b.cluster.Close() }
