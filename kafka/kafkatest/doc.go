// Package kafkatest provides a Kafka cluster served in-process on
// 127.0.0.1, for tests and examples, in the spirit of net/http/httptest.
//
// The cluster is [kfake] from franz-go: it speaks the Kafka protocol and
// keeps everything in memory. It starts in milliseconds, needs no Docker
// or JVM, and supports what librdkafka, and so confluent-kafka-go, uses:
// producing, including idempotent and transactional producers, fetching,
// consumer groups with the classic and the KIP-848 protocols, offset
// commits, the admin API and SASL.
//
// # Starting a broker in a test
//
// [NewBroker] starts a cluster and closes it when the test finishes.
// Give clients [Broker.Addr] as bootstrap.servers:
//
//	func TestEmoji(t *testing.T) {
//		b := kafkatest.NewBroker(t, kafkatest.WithTopic("emoji", 3))
//		p, err := kafka.NewProducer(&kafka.ConfigMap{
//			"bootstrap.servers":     b.Addr(),
//			"broker.address.family": "v4",
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		t.Cleanup(p.Close)
//		// ...
//	}
//
// Cleanup functions run last-registered first, so clients registered
// after the broker close before it does. [WithBrokers], [WithTopic],
// [WithSASLPlain] and [WithAutoCreateTopics] configure the cluster;
// [Broker.CreateTopic] adds topics to a running one. Outside tests, such
// as in examples, [Start] does what [NewBroker] does and the caller calls
// [Broker.Close].
//
// # librdkafka settings
//
// librdkafka needs no special settings for the cluster, but these matter:
//
//   - "broker.address.family": "v4". The brokers listen on 127.0.0.1 only.
//     [Broker.Addr] and the cluster's metadata name 127.0.0.1, but an
//     address written as localhost may resolve to ::1 first, which fails
//     and costs a reconnect. Set it in every client configuration.
//   - "session.timeout.ms" must lie between 6 seconds and 5 minutes, as
//     with Kafka's defaults, or joining a group fails with "Invalid session
//     timeout". librdkafka's default of 45 seconds is fine; to go lower,
//     start the cluster with WithClusterOptions(kfake.GroupMinSessionTimeout(d)).
//   - "auto.offset.reset": "earliest" for consumers that must see what a
//     test produced before they joined.
//   - "reconnect.backoff.ms" and "reconnect.backoff.max.ms" (100 ms and 10
//     s by default), with "retry.backoff.ms", for tests that drop
//     connections or fail requests: librdkafka waits up to the maximum
//     before reconnecting, which makes retries slow unless lowered to
//     tens of milliseconds.
//   - For SASL: "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms":
//     "PLAIN", "sasl.username" and "sasl.password". A wrong password shows
//     up as an error event with code ErrAuthentication, an unknown user as
//     one with code ErrTransport (see [WithSASLPlain]).
//
// Topics exist only if created, as with auto.create.topics.enable=false,
// unless the cluster runs with [WithAutoCreateTopics]. A consumer
// subscribed to a missing topic gets an error event "Subscribed topic not
// available"; a message produced to one fails with "Unknown topic or
// partition" after "topic.metadata.propagation.max.ms", 30 s by default.
// Transactions ("transactional.id", and "isolation.level":
// "read_committed" for consumers) and "group.protocol": "consumer"
// (KIP-848) work; pausing and resuming partitions is client side and
// works as with Kafka.
//
// # Running against a real cluster
//
// [Bootstrap] returns the address list in the environment variable
// [EnvBootstrap], KAFKA_BOOTSTRAP, when it is set, and otherwise starts a
// broker with [NewBroker]. Tests written with it run against the embedded
// broker by default and against a real cluster with, for instance,
//
//	KAFKA_BOOTSTRAP=127.0.0.1:9092 go test ./...
//
// On a real cluster, Bootstrap creates the topics of [WithTopic] that are
// missing and ignores the other options. [BootstrapOrStart] is the same
// for examples and commands.
//
// # Running a broker as a process
//
// The command kafka/kafkatest/cmd/broker serves a cluster until
// interrupted, for trying programs by hand:
//
//	go run ./kafka/kafkatest/cmd/broker -addr 127.0.0.1:9092 -topic emoji:3
//
// It prints the bootstrap address list as the first line of its output.
//
// # Injecting faults
//
// [Broker.Cluster] returns the [kfake.Cluster], whose methods inject
// faults and inspect state. [kfake.Cluster.Fault] fails matching requests
// with a Kafka error; this fails the next three produce requests, which
// librdkafka retries:
//
//	h := b.Cluster().Fault(kfake.Fault{
//		Keys:  []kmsg.Key{kmsg.Produce},
//		Err:   kerr.NotEnoughReplicas,
//		Count: 3,
//	})
//
// and [kfake.FaultHandle.Wait] waits until the faults have struck.
// [kfake.Cluster.ControlKey] runs a function on requests of a kind and can
// answer them itself or drop the connection by returning an error. A
// control function handles one request unless it calls
// [kfake.Cluster.KeepControl], which lasts until it calls
// [kfake.Cluster.DropControl]. [kfake.Cluster.GroupInfo],
// [kfake.Cluster.PartitionInfo] and [kfake.Cluster.WaitGroupStable]
// show what clients did, and [kfake.Cluster.MoveTopicPartition] and
// [kfake.Cluster.ShufflePartitionLeaders] move partition leaders.
//
// # Goroutines
//
// A closed [Broker] leaves no goroutines once its connections have
// closed, nor do confluent-kafka-go producers and consumers after Close,
// so packages testing with them can check for leaks with
// go.uber.org/goleak's VerifyTestMain, as this package does.
package kafkatest
