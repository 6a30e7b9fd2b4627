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
