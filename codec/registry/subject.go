package registry

// A Subject names the registry subject of a codec's schema, given the
// schema's full name: an Avro schema's (its record's "namespace.name"), or
// a Protobuf message's. The functions below are Confluent's subject name
// strategies; any function of this type will do.
type Subject func(fullName string) string

// TopicValue is Confluent's default strategy (TopicNameStrategy) for
// message values: the subject "<topic>-value".
func TopicValue(topic string) Subject {
	return func(string) string { return topic + "-value" }
}

// TopicKey is Confluent's default strategy (TopicNameStrategy) for message
// keys: the subject "<topic>-key".
func TopicKey(topic string) Subject {
	return func(string) string { return topic + "-key" }
}

// RecordName is Confluent's RecordNameStrategy: the subject is the schema's
// full name, so that a type has one subject whatever topic carries it.
func RecordName(fullName string) string { return fullName }

// TopicRecordName is Confluent's TopicRecordNameStrategy: the subject
// "<topic>-<full name>", for a topic that carries several types.
func TopicRecordName(topic string) Subject {
	return func(fullName string) string { return topic + "-" + fullName }
}

// Named is a subject given outright.
func Named(subject string) Subject {
	return func(string) string { return subject }
}
