package kafkatest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// EnvBootstrap names the environment variable that points [Bootstrap] and
// [BootstrapOrStart] at an existing Kafka cluster instead of an embedded
// one. Its value is a bootstrap address list such as "127.0.0.1:9092".
const EnvBootstrap = "KAFKA_BOOTSTRAP"

// createTimeout bounds creating topics on an external cluster.
const createTimeout = 30 * time.Second

// Bootstrap returns the bootstrap address list of a Kafka cluster for t:
// the value of [EnvBootstrap] if it is set, or else the address of a
// [Broker] started with [NewBroker] and closed when t finishes.
//
// On an external cluster, Bootstrap creates the topics of [WithTopic]
// that do not exist yet and ignores every other option; it talks to the
// cluster without TLS or SASL. The cluster and its data outlive t, so
// tests meant to run against one should use topic and group names no
// other run reuses. Bootstrap stops the test with t.Fatal on failure.
func Bootstrap(t testing.TB, opts ...Option) string {
	t.Helper()
	addr := os.Getenv(EnvBootstrap)
	if addr == "" {
		return NewBroker(t, opts...).Addr()
	}
	ctx, cancel := context.WithTimeout(t.Context(), createTimeout)
	defer cancel()
	if err := createTopics(ctx, addr, opts); err != nil {
		t.Fatal(err)
	}
	return addr
}

// BootstrapOrStart is [Bootstrap] for examples and commands: it returns
// the value of [EnvBootstrap] if it is set, or else starts a [Broker].
// The caller must call stop when done with the cluster; for an external
// cluster stop does nothing.
func BootstrapOrStart(opts ...Option) (addr string, stop func(), err error) {
	if addr := os.Getenv(EnvBootstrap); addr != "" {
		ctx, cancel := context.WithTimeout(context.Background(), createTimeout)
		defer cancel()
		if err := createTopics(ctx, addr, opts); err != nil {
			return "", nil, err
		}
		return addr, func() {}, nil
	}
	b, err := Start(opts...)
	if err != nil {
		return "", nil, err
	}
	return b.Addr(), b.Close, nil
}

// createTopics creates the topics opts ask for on the cluster at addr,
// leaving existing ones alone.
func createTopics(ctx context.Context, addr string, opts []Option) error {
	var cfg config
	for _, opt := range opts {
		opt(&cfg)
	}
	if len(cfg.topics) == 0 {
		return nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(addr, ",")...))
	if err != nil {
		return fmt.Errorf("kafkatest: %s=%q: %w", EnvBootstrap, addr, err)
	}
	defer cl.Close()

	req := kmsg.NewPtrCreateTopicsRequest()
	for _, t := range cfg.topics {
		if t.partitions < 1 {
			return fmt.Errorf("kafkatest: topic %q: %d partitions, want at least one", t.name, t.partitions)
		}
		rt := kmsg.NewCreateTopicsRequestTopic()
		rt.Topic = t.name
		rt.NumPartitions = int32(t.partitions)
		rt.ReplicationFactor = -1 // the cluster's default
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("kafkatest: creating topics on %s: %w", addr, err)
	}
	var errs []error
	for _, t := range resp.Topics {
		err := kerr.ErrorForCode(t.ErrorCode)
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("kafkatest: creating topic %q on %s: %w", t.Topic, addr, err))
		}
	}
	return errors.Join(errs...)
}
