// Package kafkabench holds the bodies of the benchmarks that compare
// slipstream's Kafka Topic with raw confluent-kafka-go clients, on one
// broker (package kafka/kafkatest) started once per process, in a child
// process of its own (see EnvBroker). The Benchmark functions of the bench
// module and the cmd/ratios program both run these, so the figures they
// print come from the same code.
//
// One op is one message of ValueSize bytes, without a key, in a topic of
// Partitions partitions. A benchmark moves b.N messages in runs of at most
// Chunk messages, each run a program of its own with its own clients;
// Produce, SendAsync and Consume run so in every form (one side, or both
// alternating), TopicToTopic in one run of b.N. Every run is prepared
// before the timer starts (what it sends, its Topic), starts after a
// garbage collection, and is checked after the timer stops; a benchmark's
// first runs in a process, one of each side, are not timed (see warmUp).
// The timer covers the steady state of each run, not the fixed costs of its
// Kafka clients, which dwarf the messages at the counts go test's ramp tries
// first (joining a consumer group takes a few hundred milliseconds, and
// closing any confluent-kafka-go client up to 100 ms):
//
//   - Produce: from the program's start, client creation included, to the
//     last delivery report; the client's close is not timed. slipstream:
//     source.Slice of the run's messages, made beforehand, bound to a
//     handler that passes them on to a Topic sink, in an app: the way a
//     slipstream program sends in bulk, the app handing the Topic (a
//     streamio.BatchSink) runs of up to 64 messages, with backpressure,
//     and ending once every delivery report is in; the timer stops when
//     the app begins to close its resources (the source, which it closes
//     before the Topic). Against a Producer.Produce loop with a goroutine
//     reading the delivery reports, with the librdkafka settings the Topic
//     gives its producer.
//   - SendAsync: as Produce, but the slipstream side is the Topic alone, a
//     loop calling Topic.SendAsync on the messages with one done function
//     that counts acknowledgements: the Topic's own cost, without the app
//     around it.
//   - Consume: from the first message received to the run's last handled;
//     the group join before and the commit and close after are not timed.
//     slipstream: a Topic source bound to a handler in an app, tracked
//     (each offset stored for commit once the message is handled),
//     committed when the app stops, which the handler asks for at the
//     run's last message. Against a Consumer.Poll loop with auto-commit,
//     with the librdkafka settings the Topic gives its consumers
//     (kafka.ConsumerDefaults). Each run reads the first Chunk messages of
//     a topic filled beforehand with four times as many (see backlog), in
//     a consumer group of its own.
//   - TopicToTopic (slipstream only): the filled topic, through stream.Map,
//     into a Topic sink, at-least-once, from the first message received to
//     the b.N-th output acknowledged; it reports messages per second.
//
// To see the last delivery report of TopicToTopic, whose source is still
// open then, the slipstream side wraps its Topic sink in one that counts
// them (ackedTopic): one closure per message more than a program would
// make, charged to slipstream.
//
// Each of Produce, SendAsync and Consume also has an interleaved form,
// which alternates the runs of the two sides within one benchmark, so that
// both meet the same machine load: the ratios come from that one.
package kafkabench
