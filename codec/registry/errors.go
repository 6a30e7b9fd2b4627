package registry

import (
	"errors"
	"fmt"
	"strings"
)

// Decode's errors that say a message will never decode, whatever is tried
// again; [errors.Is] tells them apart. Any other error from Decode, such as
// a registry that cannot be reached, may pass on a retry.
var (
	// ErrFraming: the bytes are not in the Schema Registry wire format.
	// They are shorter than its header, do not start with its magic byte
	// 0 (plain Avro or JSON, say), or hold a malformed Protobuf
	// message-index array.
	ErrFraming = errors.New("not in the Schema Registry wire format")

	// ErrUnknownSchema: the registry has no schema of the id the message
	// names.
	ErrUnknownSchema = errors.New("unknown schema id")

	// ErrMismatch: the message's payload does not match its schema, or its
	// schema cannot be read as the codec's: an Avro schema that does not
	// resolve against the codec's, another Protobuf message, a schema of
	// another kind.
	ErrMismatch = errors.New("schema mismatch")
)

// errorf returns an error whose text starts with "codec <name>: ".
func errorf(name, format string, args ...any) error {
	return fmt.Errorf("codec "+name+": "+format, args...)
}

// avroError is an error from hamba/avro without the "avro: " that starts
// its text, as the codec's name comes first.
type avroError struct{ err error }

func (e avroError) Error() string { return strings.TrimPrefix(e.err.Error(), "avro: ") }
func (e avroError) Unwrap() error { return e.err }
