// Package registry has codecs for Avro and Protobuf values registered in a
// Confluent Schema Registry and framed in its wire format, which is how most
// Avro and Protobuf on Kafka is written. They are [codec.Codec] values, for
// kafka.WithValueCodec or kafka.WithKeyCodec. The package is apart from
// package codec so that a program that does not use a registry does not
// build its client.
//
// # Wire format
//
// A message is a magic byte 0, the schema's id in the registry as 4
// big-endian bytes, for Protobuf the message index (which message of the
// schema's file this is), then the value in Avro's binary encoding or
// Protobuf's.
//
// # Subjects and registration
//
// A schema is registered under a subject, named from the topic, the
// schema's full name, or both: [TopicValue] ("orders-value") and [TopicKey]
// are Confluent's default; [RecordName], [TopicRecordName] and [Named] are
// the others. A codec's constructor finds the id that Encode writes, once:
// it registers the codec's schema under its subject, which for a schema
// already there is a lookup. [AutoRegister](false) only looks the schema
// up; [SchemaID] names the id outright. Encode then makes no request.
//
// Decode reads a message of the codec's own schema id at once. A message of
// another id, as written by a producer with an older or newer schema, costs
// one fetch of that schema (GET /schemas/ids/{id}) for the codec's life; the
// codec then reads it if that schema can be read as its own.
//
// # Errors
//
// Decode returns an error, never panics, whatever it is given. An error
// that means the message will never decode wraps [ErrFraming] (not the
// wire format), [ErrUnknownSchema] (an id the registry does not have) or
// [ErrMismatch] (a payload or schema the codec cannot read); any other,
// such as a registry that cannot be reached, may pass on a retry.
//
// # The client
//
// The codecs talk to the registry through franz-go's
// [github.com/twmb/franz-go/pkg/sr]: a registry client of the standard
// library only (two go.sum lines), with contexts, basic and bearer
// authentication and TLS, and an in-memory registry for tests (srfake,
// which this package's tests run against). Confluent's own Go serializers,
// in confluent-kafka-go's schemaregistry packages, do the same and more
// (JSON Schema, data-contract rules, field encryption), but bring about 490
// go.sum lines (cloud KMS clients, a CEL interpreter, a .proto parser), and
// their client takes no context. They print and parse .proto text; this
// package registers and fetches a Protobuf file as a serialized descriptor,
// which the registry accepts in place of the text, so it needs no parser.
package registry
