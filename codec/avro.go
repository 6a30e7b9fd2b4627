package codec

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hamba/avro/v2"
)

// Limits on what a single Avro Decode may allocate, so that hostile input
// cannot exhaust memory before it is found to be truncated.
const (
	avroMaxBytes = 8 << 20 // bytes in one bytes or string value
	avroMaxItems = 1 << 20 // items in one array
)

// Avro returns a [Codec] that encodes values of type T in the Avro binary
// encoding of the given schema, written in the Avro JSON schema notation. It
// uses [github.com/hamba/avro/v2]; struct fields are matched to record fields
// by their "avro" tag. Its name is "avro".
//
// Avro returns an error if the schema cannot be parsed. A type T that does
// not match the schema is reported by Encode and Decode.
//
// Decode rejects truncated input and input with bytes left over after the
// value. To bound the memory that hostile input can make it allocate, Decode
// also rejects a bytes or string value longer than 8 MiB and an array of
// more than 1<<20 items.
func Avro[T any](schema string) (Codec[T], error) {
	return newAvro[T](schema, "schema")
}

// AvroFile is like [Avro] but reads the schema from the named file.
func AvroFile[T any](path string) (Codec[T], error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("codec avro: read schema: %w", err)
	}
	return newAvro[T](string(b), "schema "+path)
}

// newAvro parses schema; what names it in errors.
func newAvro[T any](schema, what string) (Codec[T], error) {
	// The Avro specification writes schemas in JSON, but hamba takes
	// any text that is not JSON for the name of a type.
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(schema), &raw); err != nil {
		return nil, fmt.Errorf("codec avro: parse %s: invalid JSON: %w", what, err)
	}
	// A fresh cache keeps named types out of hamba's process-wide cache,
	// so two codecs may define the same name differently.
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, &avroError{"parse " + what + ": ", err}
	}
	api := avro.Config{
		MaxByteSliceSize:  avroMaxBytes,
		MaxSliceAllocSize: avroMaxItems,
	}.Freeze()
	return &avroCodec[T]{schema: s, api: api}, nil
}

type avroCodec[T any] struct {
	schema avro.Schema
	api    avro.API
}

func (*avroCodec[T]) Name() string { return "avro" }

func (c *avroCodec[T]) Encode(v T) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("codec avro: encode panicked: %v", p)
		}
	}()
	b, err = c.api.Marshal(c.schema, v)
	if err != nil {
		return nil, &avroError{"", err}
	}
	return b, nil
}

func (c *avroCodec[T]) Decode(b []byte) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, fmt.Errorf("codec avro: decode panicked: %v", p)
		}
	}()
	r := avro.NewReader(nil, 0, avro.WithReaderConfig(c.api))
	r.Reset(b)
	r.ReadVal(c.schema, &v)
	// hamba reports running out of input as a (possibly wrapped) io.EOF,
	// which its own Unmarshal treats as success.
	if r.Error == nil {
		if r.Peek(); r.Error == nil {
			err = errors.New("codec avro: trailing data after value")
		}
	} else if errors.Is(r.Error, io.EOF) || errors.Is(r.Error, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("codec avro: %w", io.ErrUnexpectedEOF)
	} else {
		err = &avroError{"", r.Error}
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// avroError is an error from hamba/avro, with the "avro: " that starts its
// text replaced by the codec's own prefix.
type avroError struct {
	op  string // what the codec was doing, such as "parse schema: "
	err error
}

func (e *avroError) Error() string {
	return "codec avro: " + e.op + strings.TrimPrefix(e.err.Error(), "avro: ")
}

func (e *avroError) Unwrap() error { return e.err }
