// Package kafka reads and writes Kafka topics in slipstream apps: a
// [Topic] is both a source of [Message]s and a sink for them, built on
// confluent-kafka-go and the librdkafka it bundles (so it needs cgo).
//
// # Topics
//
// [NewTopic] names a topic, its librdkafka configuration and its options:
//
//	topic, err := kafka.NewTopic[string, string]("emoji", kafka.ConfigMap{
//		"bootstrap.servers": "localhost:9092",
//		"group.id":          "demo",
//		"auto.offset.reset": "earliest",
//	})
//
// Send to it directly with [Topic.Produce] or [Topic.Send], which wait for
// the broker's acknowledgement, and read it directly with
// [Topic.Messages]:
//
//	err = topic.Produce(ctx, "trophy", "🏆")
//	...
//	for msg, err := range topic.Messages(ctx) {
//		...
//		fmt.Println(msg.Key, msg.Value)
//	}
//
// or bind it to handlers, on either side, in a [stream.App]:
//
//	app := stream.NewApp()
//	stream.Handle(app, orders, stream.Func(bill), invoices)
//	err = app.Run(ctx)
//
// Keys and values are strings or byte slices, or go through codecs from
// package [codec] (see [WithKeyCodec] and [WithValueCodec]). [WithOffset]
// sets where consumers start, and [Topic.Seek] moves running ones.
// [WithDryRun] logs instead of sending.
//
// # Configuration
//
// Keys are librdkafka's (see its CONFIGURATION.md); the Python original's
// underscore names are accepted too (see [ConfigMap]). [Conf] sets
// process-wide defaults that each [NewTopic] snapshots, merged with the
// topic's own configuration. NewTopic checks every key and value with
// librdkafka, so a misspelt key is an error there, naming the key and the
// topic. Printing a configuration redacts its secrets.
//
// # Delivery guarantees
//
// A topic read in an app commits a message's offset only once every output
// derived from it, through any combinators, has been accepted by its sinks,
// and a topic accepts an output once the broker has acknowledged it: a
// crash at any moment loses nothing, and a restarted app reprocesses from
// the last commit (at-least-once). Offsets are committed every
// auto.commit.interval.ms (5 s by default), before partitions are given up
// in a rebalance, and when the app stops. Messages that cannot be decoded
// are handled as [WithBadInput] says.
//
// # Pausing
//
// Pausing a stream read from a topic ([stream.Stream.Pause]) pauses the
// consumer's partitions; the consumer keeps polling, so it stays in its
// group however long the pause lasts, and nothing already read is lost.
//
// # Testing
//
// Package [github.com/slipstream-go/slipstream/kafka/kafkatest] runs a
// Kafka-protocol broker in-process, for tests and examples that need no
// Kafka installed. librdkafka should reach it over IPv4, with
// "broker.address.family": "v4".
package kafka
