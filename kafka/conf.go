package kafka

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A ConfigMap holds librdkafka configuration properties, such as
// "bootstrap.servers" or "group.id" (see librdkafka's CONFIGURATION.md).
// Values are strings, booleans or numbers.
//
// Printing a ConfigMap, with fmt or [log/slog], shows its keys in sorted
// order and hides secrets: the value of every key that names a password, a
// secret, a private key or OAUTHBEARER configuration is shown as
// "[redacted]".
//
// [Conf] and [NewTopic] accept underscore names as aliases:
// bootstrap_servers, group_id, group_instance_id, auto_offset_reset,
// security_protocol, sasl_mechanism, sasl_plain_username and
// sasl_plain_password, and any other name that becomes a librdkafka
// property when its underscores are dots (client_id, session_timeout_ms,
// ...). They are stored under librdkafka's names.
//
// One key does not go to librdkafka as it is: group.instance.id names the
// app's instance, and each consumer joins its group under an id made from
// it (see Restarts in the package doc).
type ConfigMap map[string]any

// redacted replaces secret values when a ConfigMap is printed.
const redacted = "[redacted]"

// String returns m as Go prints a map, keys sorted, with secrets redacted:
// map[bootstrap.servers:localhost:9092 sasl.password:[redacted]].
func (m ConfigMap) String() string {
	var b strings.Builder
	b.WriteString("map[")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%v", k, m.shown(k))
	}
	b.WriteByte(']')
	return b.String()
}

// GoString returns m as Go source, keys sorted, with secrets redacted, for
// the %#v verb.
func (m ConfigMap) GoString() string {
	var b strings.Builder
	b.WriteString("kafka.ConfigMap{")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q:%#v", k, m.shown(k))
	}
	b.WriteByte('}')
	return b.String()
}

// LogValue implements [slog.LogValuer]: a ConfigMap logs as its
// [ConfigMap.String], so that no log handler shows a secret.
func (m ConfigMap) LogValue() slog.Value { return slog.StringValue(m.String()) }

// shown returns the value of key k as it may be printed.
func (m ConfigMap) shown(k string) any {
	if isSecret(k) {
		return redacted
	}
	return m[k]
}

// isSecret reports whether the value of property k must not be shown.
func isSecret(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") ||
		strings.Contains(k, "secret") ||
		strings.Contains(k, "sasl.oauthbearer.config") ||
		k == "ssl.key.pem" || k == "ssl_key" || k == "sasl.jaas.config"
}

// aliases maps the Python original's property names to librdkafka's where
// replacing underscores with dots is not enough, and librdkafka's own
// aliases to the names this package stores them under.
var aliases = map[string]string{
	"sasl_mechanism":       "sasl.mechanism",
	"sasl_plain_username":  "sasl.username",
	"sasl_plain_password":  "sasl.password",
	"sasl.mechanisms":      "sasl.mechanism",
	"metadata.broker.list": "bootstrap.servers",
}

// canonical returns the name a property is stored under: librdkafka's name
// for an alias, key itself otherwise (an unknown key is kept as written, so
// that the error about it names what the user wrote).
func canonical(key string) string {
	if a, ok := aliases[key]; ok {
		return a
	}
	props := properties()
	if _, ok := props[key]; ok || !strings.Contains(key, "_") || strings.Contains(key, ".") {
		return key
	}
	if dotted := strings.ReplaceAll(key, "_", "."); props[dotted] != 0 {
		return dotted
	}
	return key
}

// merge copies src into dst under canonical names. When src names one
// property twice, librdkafka's name wins over an alias.
func merge(dst, src ConfigMap) {
	keys := slices.Sorted(maps.Keys(src))
	for _, k := range keys {
		if c := canonical(k); c != k {
			dst[c] = src[k]
		}
	}
	for _, k := range keys {
		if canonical(k) == k {
			dst[k] = src[k]
		}
	}
}

// defaults are the process-wide configuration defaults set with Conf.
var defaults struct {
	mu sync.Mutex
	m  ConfigMap
}

// Conf merges m into the process-wide Kafka configuration defaults, adding
// keys and overriding those set before, and returns a copy of the merged
// defaults. Conf(nil) just returns them. It is safe for concurrent use.
//
// A [Topic] takes a snapshot of the defaults merged with its own
// configuration when it is created, its own keys winning: later calls to
// Conf do not change existing topics. Keys are checked then, by [NewTopic].
func Conf(m ConfigMap) ConfigMap {
	defaults.mu.Lock()
	defer defaults.mu.Unlock()
	if defaults.m == nil {
		defaults.m = ConfigMap{}
	}
	merge(defaults.m, m)
	return maps.Clone(defaults.m)
}

// snapshot returns the defaults merged with own, own winning.
func snapshot(own ConfigMap) ConfigMap {
	defaults.mu.Lock()
	m := make(ConfigMap, len(defaults.m)+len(own))
	merge(m, defaults.m)
	defaults.mu.Unlock()
	merge(m, own)
	return m
}

// managed lists properties the Topic sets itself, with the reason a user
// may not: at-least-once commits depend on them.
var managed = map[string]string{
	"enable.auto.offset.store": "the Topic stores an offset only once its message has been handled",
	"enable.partition.eof":     "the Topic does not report partition ends",
	"rebalance_cb":             "the Topic handles rebalances",
	"offset_commit_cb":         "the Topic handles commits",
	"consume_cb":               "the Topic reads messages itself",
	"dr_cb":                    "the Topic reads delivery reports",
	"dr_msg_cb":                "the Topic reads delivery reports",
}

// validate checks every key and value of conf with librdkafka.
func validate(conf ConfigMap) error {
	for _, k := range slices.Sorted(maps.Keys(conf)) {
		if strings.HasPrefix(k, "go.") {
			return fmt.Errorf("configuration key %q: go.* properties are set by the Topic itself", k)
		}
		if why, ok := managed[k]; ok {
			if k == "enable.auto.offset.store" || k == "enable.partition.eof" {
				if s, err := valueString(conf[k]); err == nil && s == "false" {
					continue // what the Topic sets anyway
				}
			}
			return fmt.Errorf("configuration key %q cannot be set: %s", k, why)
		}
		s, err := valueString(conf[k])
		if err != nil {
			return fmt.Errorf("configuration key %q: %w", k, err)
		}
		if unknown, err := checkProperty(k, s); unknown {
			return fmt.Errorf("unknown configuration key %q", k)
		} else if err != nil {
			if isSecret(k) {
				return fmt.Errorf("configuration key %q: invalid value", k)
			}
			return fmt.Errorf("configuration key %q: %w", k, err)
		}
	}
	return nil
}

// valueString turns a configuration value into the string librdkafka takes.
func valueString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case fmt.Stringer:
		return x.String(), nil
	case nil:
		return "", fmt.Errorf("nil value")
	default:
		return "", fmt.Errorf("value of type %T; want a string, bool or number", v)
	}
}

// ConsumerDefaults returns the librdkafka settings a Topic gives the
// consumers it makes where its configuration (see [Conf]) does not set
// them. They differ from librdkafka's own defaults where those slow a
// stream down or hold more memory than it needs:
//
//   - fetch.queue.backoff.ms: 10 (librdkafka: 1000). librdkafka stops
//     fetching a partition once queued.min.messages of its messages wait in
//     the client, and fetches again only after this backoff. A handler that
//     drains those messages in less than a second then waits for the rest of
//     it: a topic with a backlog (catching up, reprocessing after a
//     checkpoint's downtime) was read at half speed, the client idle half
//     the time (BenchmarkTopicToTopic: 135k → about 210k messages a second).
//   - queued.min.messages: 20000 (librdkafka: 100000). The messages a
//     consumer fetches ahead of its app. With 100,000, a Topic→Map→Topic
//     app at full speed had 60 MiB of C memory in use on average, 90 at
//     its peak, most of its resident set; with these bounds 33 and 57.
//     20,000 messages last 80 ms at 250k messages a second, many fetch
//     round trips.
//   - queued.max.messages.kbytes: 16384 (librdkafka: 65536). The same
//     queue's bound in bytes, which binds before the count for messages
//     over 800 bytes: 16 MiB last 160 ms at 100 MB a second.
//   - fetch.message.max.bytes: 262144 (librdkafka: 1048576). What one fetch
//     brings of each partition, by which the queue overshoots the bounds
//     above: lowering queued.min.messages alone left the peak of C memory
//     where it was. A larger message is still fetched: librdkafka grows the
//     fetch for it.
//
// bench/cmd/soak measures them (see bench/README.md): the app's resident
// set stays flat after its warm-up, about 30 MiB lower than with
// librdkafka's defaults, and Consume and TopicToTopic ran no slower.
//
//   - client.id: "slipstream-" and 12 random hex digits, the same for
//     every consumer of one process (librdkafka: "rdkafka"). A group
//     member's id begins with its client.id (or with its
//     group.instance.id, if it has one), and the default (range) assignor
//     hands out each topic's partitions to the members that read it in
//     the order of their ids. So the consumers of one process sort
//     alike among the readers of every topic, and an instance reading two
//     co-partitioned topics in one group (a join, package window) gets
//     the same partitions of both without a name. A client.id that the
//     configuration sets, the same for every instance, undoes that.
func ConsumerDefaults() ConfigMap { return maps.Clone(consumerDefaults) }

var consumerDefaults = ConfigMap{
	"fetch.queue.backoff.ms":     10,
	"queued.min.messages":        20000,
	"queued.max.messages.kbytes": 16384,
	"fetch.message.max.bytes":    262144,
	"client.id":                  processClientID(),
}

// processClientID returns a client.id for this process's consumers: see
// ConsumerDefaults.
func processClientID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "slipstream-" + hex.EncodeToString(b)
}

// ProducerDefaults returns the librdkafka settings a Topic gives the
// producer it makes where its configuration (see [Conf]) does not set
// them:
//
//   - queue.buffering.max.kbytes: 65536 (librdkafka: 1048576). The most a
//     producer holds of the messages it has not delivered yet, in bytes;
//     when they are there, [Topic.SendAsync] waits for room, slowing the
//     app to the broker's pace. librdkafka's gigabyte let an app sending
//     large messages faster than its broker takes them hold up to that
//     much C memory; 64 MiB still last a broker round trip at hundreds of
//     MB a second. Small messages meet the count bound first,
//     queue.buffering.max.messages (100,000), as before.
func ProducerDefaults() ConfigMap { return maps.Clone(producerDefaults) }

var producerDefaults = ConfigMap{
	"queue.buffering.max.kbytes": 65536,
}

// clientConfig returns the librdkafka configuration for one client:
// defaults, then the properties of conf that apply to it (so librdkafka
// does not warn about consumer properties on a producer), then extra.
func clientConfig(conf ConfigMap, kind scope, defaults ConfigMap, extra ckafka.ConfigMap) *ckafka.ConfigMap {
	props := properties()
	cm := make(ckafka.ConfigMap, len(defaults)+len(conf)+len(extra))
	for k, v := range defaults {
		s, _ := valueString(v)
		cm[k] = s
	}
	for k, v := range conf {
		if s := props[k]; s != scopeBoth && s != kind && s != 0 {
			continue
		}
		s, _ := valueString(v) // validated by NewTopic
		cm[k] = s
	}
	for k, v := range extra {
		cm[k] = v
	}
	return &cm
}
