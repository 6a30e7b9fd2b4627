package codec

import "fmt"

// A Codec turns values of type T into bytes and back. Kafka topics use codecs
// for message keys and values, and the Cache for its keys and values.
//
// Decode must return an error, never panic, whatever bytes it is given: bytes
// from a topic or a database are input from outside the program.
type Codec[T any] interface {
	Encode(v T) ([]byte, error)
	Decode(b []byte) (T, error)
}

// Name returns a short, human-readable name for c, used in error messages:
// the result of c's Name method when it has one ("json", "avro", ...), its Go
// type otherwise.
func Name[T any](c Codec[T]) string {
	if n, ok := c.(interface{ Name() string }); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", c)
}

// DecodeOwned decodes b with c, for a caller that hands b over: one that
// will neither use nor modify b again, such as a Kafka consumer with a
// message it has just received. Codecs whose Decode copies b to protect the
// caller, as [Bytes] does, then return b itself; the others decode as
// Decode does.
func DecodeOwned[T any](c Codec[T], b []byte) (T, error) {
	return OwnedDecoder(c)(b)
}

// BorrowedEncoder returns a function that encodes with c for a caller that
// only reads the bytes it gets, and only until it has handed them on, such
// as a Kafka producer, which copies them: codecs whose Encode copies the
// value, as [String] does, return a view of the value itself instead; the
// others encode as Encode does. The caller must not modify the bytes.
func BorrowedEncoder[T any](c Codec[T]) func(v T) ([]byte, error) {
	if b, ok := c.(interface{ encodeBorrowed(T) ([]byte, error) }); ok {
		return b.encodeBorrowed
	}
	return c.Encode
}

// OwnedDecoder returns the function [DecodeOwned] calls to decode with c:
// for a caller that decodes many values with one codec, such as a Kafka
// consumer, and would rather look it up once.
func OwnedDecoder[T any](c Codec[T]) func(b []byte) (T, error) {
	if o, ok := c.(interface{ decodeOwned([]byte) (T, error) }); ok {
		return o.decodeOwned
	}
	return c.Decode
}
