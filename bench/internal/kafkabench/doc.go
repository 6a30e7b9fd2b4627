// Package kafkabench holds the bodies of the benchmarks that compare
// slipstream's Kafka Topic with raw confluent-kafka-go clients, on one
// broker (package kafka/kafkatest) started once per process: in the
// process, or in a child process (see EnvBroker).
// The Benchmark functions of the bench module and the cmd/ratios program
// both run these, so the figures they print come from the same code.
//
// One op is one message of ValueSize bytes, without a key, in a topic of
// Partitions partitions. What a run sends or reads is made before the timer
// starts, and checked after it stops. The timer covers the steady state of
// a program that moves b.N messages, not the fixed costs of its Kafka
// client, which dwarf the messages at any b.N that go test's ramp tries
// first (joining a consumer group takes a few hundred milliseconds here,
// and closing any confluent-kafka-go client up to 100 ms):
//
//   - Produce: from the program's start, client creation included, to the
//     last delivery report; the client's close is not timed. slipstream:
//     source.Slice of b.N messages made beforehand, bound to a handler that
//     passes them on to a Topic sink, in an app: the way a slipstream
//     program sends in bulk, the messages handed to the producer without
//     waiting, in runs of up to stream.BatchSize (the Topic is a
//     stream.BatchSink), with backpressure, the app ending once every delivery report is in; the
//     timer stops when the app begins to close its resources (the source,
//     which it closes before the Topic). Against a
//     Producer.Produce loop with a goroutine reading the delivery reports,
//     with the librdkafka settings the Topic gives its producer.
//   - SendAsync: as Produce, but the slipstream side is the Topic alone, a
//     loop calling Topic.SendAsync on the messages with one done function
//     that counts acknowledgements: the Topic's own cost, without the app
//     around it.
//   - Consume: from the first message received to the b.N-th handled; the
//     group join before and the commit and close after are not timed.
//     slipstream: a Topic source bound to a handler in an app, tracked
//     (each offset stored for commit once the message is handled),
//     committed when the app stops, which the handler asks for at the b.N-th
//     message. Against a Consumer.Poll loop with auto-commit, with the
//     librdkafka settings the Topic gives its consumers
//     (kafka.ConsumerDefaults). Both read a topic filled beforehand, from
//     its beginning, in a consumer group of their own.
//   - TopicToTopic (slipstream only): the filled topic, through stream.Map,
//     into a Topic sink, at-least-once, from the first message received to
//     the b.N-th output acknowledged; it reports messages per second.
//
// To see the last delivery report of TopicToTopic, whose source is still
// open then, the slipstream side wraps its Topic sink in one that counts
// them: one closure per message more than a program would make, charged to
// slipstream.
//
// Each of Produce and Consume also has an interleaved form, which runs both
// sides in alternating runs of Chunk messages within one benchmark, so that
// both meet the same machine load: the ratios come from that one.
package kafkabench
