// Package kafkabench holds the bodies of the benchmarks that compare
// slipstream's Kafka Topic with raw confluent-kafka-go clients, and its
// partitioned state (package state) with raw clients and goka, on one
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
//
// # State
//
// Restore and Count (StateComparisons) run the same way, on keyed
// records: CounterKeySize-byte keys of CounterKeys counters, in a fixed
// pseudo-random order, each record in its key's partition as goka's
// default producer would put it (keyPartition), counts as 8-byte values.
// Their interleaved forms rotate through every side.
//
//   - Restore: one op is one changelog record restored, in runs of
//     RestoreRecords records (a changelog of that many, filled once, read
//     whole by each run), into a fresh directory, from the run's start to
//     the last partition restored; closing is not timed. slipstream: a
//     state.Table on that changelog (state.Options.Changelog), its Assigned
//     called with every partition. raw: one consumer assigned every
//     partition, outside any group, with the settings of a table's reader,
//     writing each partition's records to a grocksdb database of its own,
//     opened with a shard's options (store.RocksOptions with Level
//     compaction), in batches of 1000 with the offset read next, as a shard
//     records it.
//   - Count: one op is one message of the count topic counted per key into
//     persistent state, in runs of Chunk messages, each in a consumer
//     group, a changelog and a directory of its own, reading the first
//     Chunk messages of a backlog of four times as many. The timed part
//     goes from the first message handled to the Chunk-th change
//     acknowledged by the broker: group joins, restores of the empty
//     changelogs, commits and closes are not timed, on any side; each side
//     stops once its last change is acknowledged. slipstream: the README's
//     counter, a Topic source and a state.Table in an app. goka: a
//     processor with a group table (goka.Input, goka.Persist with
//     codec.Int64), goka's default configuration (LevelDB storage, sarama,
//     Snappy) except for streams read from the oldest offset. raw: a
//     consumer in a group, a grocksdb database per partition with a
//     shard's options (Get, then Put of the count plus one), a producer to
//     the changelog, the message's offset stored for commit once its
//     change is acknowledged. To see the acknowledgements, the slipstream
//     side wraps its table (ackedTable) and the goka side goka's producer
//     (ackedProducer), one closure per message each.
//
// Every state run is checked after it: a restore's databases hold each
// key's count and the offset read next; a count's changelog holds each
// key's counts 1, 2, 3… in order, at least Chunk records in all.
package kafkabench
