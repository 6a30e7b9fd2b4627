// Package kafka reads and writes Kafka topics in slipstream apps. A
// [Topic] is both a [stream.Source] of [Message]s and a [streamio.AsyncSink]
// for them, built on confluent-kafka-go and the librdkafka it bundles (so
// the package needs cgo, and nothing else).
//
// # Topics
//
// [NewTopic] names a topic and takes its librdkafka configuration and
// options:
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
//	for msg, err := range topic.Messages(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(msg.Key, msg.Value)
//	}
//
// Or bind it, as a source or as a sink, in a [stream.App]:
//
//	app := stream.NewApp()
//	stream.Handle(app, orders, stream.Func(bill), invoices)
//	err = app.Run(ctx)
//
// Keys and values are strings or byte slices, or go through codecs from
// package [codec] ([WithKeyCodec], [WithValueCodec]). [WithOffset] sets
// where consumers start and [Topic.Seek] moves running ones. [WithDryRun]
// logs instead of sending. The producer is made by the first send and each
// read makes a consumer; [Topic.Close], which an app calls when it stops,
// delivers what is pending, commits, and closes them.
//
// # Configuration
//
// Keys are librdkafka's (see its CONFIGURATION.md); underscore names are
// accepted too (see [ConfigMap]). [Conf] sets
// process-wide defaults that each [NewTopic] snapshots, merged with the
// topic's own configuration. NewTopic checks every key and value with the
// linked librdkafka, so a misspelt key is an error there, naming the key and
// the topic. Printing a configuration redacts its secrets. Each client gets
// only the properties that apply to it, so one configuration serves a topic
// read and written. A consumer also gets [ConsumerDefaults] where the
// configuration does not set them, and a producer [ProducerDefaults]:
// librdkafka's own defaults make a consumer with a backlog wait a second
// at a time for fetches it could have had at once, and let the clients
// buffer more than a stream needs (a consumer fetched 100,000 messages
// ahead, a producer could hold a gigabyte).
//
// # Delivery guarantees
//
// A topic read in an app commits a message's offset only once every output
// derived from it, through any combinators, has been accepted by its sinks;
// a topic accepts an output once the broker has acknowledged it. So a crash
// at any moment loses nothing, and a restarted app reprocesses from the last
// commit: at-least-once. Accepted offsets are handed to librdkafka, which
// commits them every auto.commit.interval.ms (5 s by default); they are also
// committed before partitions are given up in a rebalance, and when the app
// stops. A topic bound as a source tracks, per partition, the longest run
// of handled messages; in exactly-once mode (below) those offsets commit
// in a transaction, with the outputs.
//
// A topic acknowledges what an app sends in epochs ([Topic.SendBatch],
// [Topic.SendAsync]): once every message sent before is delivered, which is
// within a round trip of the broker when sending pauses and within about
// half a second under a steady flow (sooner once it holds 4,096 done
// functions of tracked outputs). A failed delivery fails its whole
// epoch, so outputs that were delivered may be sent again after a restart;
// none is lost. The reason is speed: confluent-kafka-go's per-message
// delivery callbacks cost about a third of a producer's throughput.
//
// A message that its codecs cannot decode is bad input: by default the app
// stops with a [*DecodeError] naming the topic, partition, offset and
// codec, and [WithBadInput] can skip and count such messages or send them to
// a dead-letter topic instead. The offset of a bad message is committed only
// once its policy has been carried out.
// A message a handler fails on goes to a dead-letter topic the same way, with
// the same headers and the handler's name, under package onerror's
// DeadLetter policy and [Topic.DeadLetters].
//
// Failed sends are retried as librdkafka's settings say (retries,
// message.timeout.ms), then fail the app with an error naming the topic.
// A consumer or producer whose credentials are refused, or that is not
// authorized to read or write its topic or to join its group, fails at once
// with such an error, rather than retrying until timeouts, minutes later.
//
// # Exactly-once
//
// Topics made with [WithExactlyOnce] share an [ExactlyOnce]: every output an
// app sends to them, every change of a partitioned table (package state)
// whose input is among them, and the offsets of the messages read from
// them commit together, in one Kafka transaction per commit interval
// (100 ms by default), as Kafka Streams' exactly_once_v2 does: one
// transactional producer per app instance, offsets sent to the transaction
// with the consumer's group metadata (KIP-447), so that an instance the
// group has moved on from cannot commit. Outputs become visible to
// read_committed readers (librdkafka's default) when their transaction
// commits; after a crash, the messages of the transaction that did not
// commit are read again and their earlier outputs stay invisible, so
// each output is seen once. examples/exactlyonce kills an app ten times
// while it works and finds no output lost or duplicated and every count
// exact.
//
//	eo, err := kafka.NewExactlyOnce(conf, nil) // conf names the group and the instance
//	defer eo.Close(ctx)                       // after the app has stopped
//	in, err := kafka.NewTopic[string, string]("in", conf, kafka.WithExactlyOnce(eo))
//	out, err := kafka.NewTopicLike[string, string]("out", in) // in eo too
//
// How a commit works: the consumers' fetch loops stop between two
// messages, every message read is let finish (its outputs delivered into
// the open transaction), the offsets are sent and the transaction
// commits, and the loops go on. A rebalance commits before partitions go;
// an app that fails aborts its transaction; a producer fenced by a newer
// one with the same transactional.id (a second process given this one's
// instance name) fails the app with an error that says so, and commits
// nothing more. The transactional.id is "<group.id>-<group.instance.id>",
// so a restarted instance fences its crashed predecessor and ends its
// transaction at once; without an instance name it is random, and a
// crashed instance's open transaction holds read_committed readers back
// until transaction.timeout.ms (10 s by default) passes.
//
// What it covers: Kafka topics of the group, and partitioned tables (their
// changelogs join their input's group, and a shard that may hold changes
// that did not commit is wiped and restored from the changelog: see
// package state). What it does not: any other sink (a function, an HTTP
// call, a kv.Cache) sees a message again after a crash, as under
// at-least-once; sends made outside an app's handlers (Topic.Produce, a
// table written by hand) join whatever transaction is open when they are
// made. One ExactlyOnce serves one app. A message whose handling takes
// longer than transaction.timeout.ms fails the app: its transaction
// cannot wait for it. Its cost: a commit drains the
// pipeline once per interval; BenchmarkTopicToTopic in bench/ measures
// 0.85 to 0.93 of at-least-once's throughput at 100 ms. An app with
// metrics (package metrics) reports the group's transactions committed
// and aborted, the time its commits held the fetch loops, and whether it
// has failed (see [Topic.Instrument]).
//
// # Pausing
//
// Pausing a stream read from a topic ([stream.Stream.Pause]) pauses the
// consumer's assigned partitions; the consumer keeps polling, so it stays in
// its group however long the pause lasts (longer than max.poll.interval.ms
// included), and the messages it had already read are handled after the
// resume, none lost or skipped. A stream that is merely slow does not pause
// partitions: librdkafka's bounded prefetch queue holds what the stream has
// no room for.
//
// The consumer polls librdkafka on the goroutine that runs the handler and
// hands it each message as it comes, as a hand-written poll loop would: one
// goroutine handles every partition the consumer holds. A handler that
// takes longer than max.poll.interval.ms over one message does not cost the
// consumer its place in the group either: while the handler is busy for
// longer than 50 ms, a second goroutine polls in its place, and holds what
// it reads for the handler.
//
// A handler made [stream.Handler.Parallel] runs as several copies, each
// with a consumer of its own in the group (a topic is
// [streamio.Partitioned]), so the group spreads the partitions over the
// copies and they are handled on as many goroutines; pausing the stream
// pauses every copy.
//
// # Restarts
//
// A consumer that dies without leaving its group (a crash, SIGKILL, an
// out-of-memory kill) keeps its partitions until the broker expires its
// session, session.timeout.ms after its last heartbeat (45 s by
// librdkafka's default): a restarted process joins as a new member and
// waits that long before it reads. Give the app's instance a name with
// group.instance.id and its consumers join as static members (KIP-345): a
// restart under the same name takes the dead member's place, and its
// partitions, at once, without a rebalance. With a session timeout of 6 s,
// from a SIGKILLed process's restart to its first message handled took
// 0.15 to 0.2 s with a name and 5.7 s without (TestRestartResumesAtOnce,
// against the in-process broker, three runs).
//
// The name is the instance's, not a consumer's: one process may run several
// consumers in one group (a topic per handler, or one topic read by two
// handlers), and two consumers under one id fence each other. So each
// consumer joins as NAME-TOPIC, and the Nth consumer of one topic that the
// process runs at once in one group as NAME-TOPIC-N, as Kafka Streams
// appends a thread's index. A name holds ASCII letters, digits, '.', '_'
// and '-' ([NewTopic] checks); an empty one is no name, so that a topic can
// opt out of a name set with [Conf]:
//
//	kafka.Conf(kafka.ConfigMap{"group.instance.id": os.Getenv("POD_NAME")})
//
// A name must stay the same across restarts of one instance and differ
// between instances that run at the same time: a StatefulSet's pod name, a
// flag or variable that each instance's deployment sets, or, for an app
// that keeps a Cache, its state folder's name, which only one process at a
// time can open. The package makes up none: a host name is shared by the
// processes of one host, and a process ID changes with every restart. Two
// processes under one name fence each other: the older one fails, with an
// error that says so.
//
// The price: a static member does not leave its group when it stops, even
// cleanly, so the partitions of an instance that does not come back
// (scaled down, renamed) go unread for session.timeout.ms before others
// take them. Set session.timeout.ms to the longest restart that should not
// move partitions.
//
// # Differences from the Python original
//
// [Topic.Produce] is the original's await topic(key=..., value=...), and
// [Topic.Messages] its async for msg in topic. The original's underscore
// property names (bootstrap_servers, group_id, ...) are accepted as aliases
// of librdkafka's (see [ConfigMap]), so a Python configuration ports
// verbatim.
//
// # Testing
//
// Package [github.com/slipstream-go/slipstream/kafka/kafkatest] runs a
// Kafka-protocol broker in-process, for tests and examples that need no
// Kafka installed, or points them at the cluster in $KAFKA_BOOTSTRAP.
package kafka
