package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/slipstream-go/slipstream/codec"
)

const avroName = "registry-avro"

// Avro returns a codec for values of type T in the Avro binary encoding of
// schema, an Avro JSON schema, in the Confluent wire format. As [codec.Avro]
// does, it uses hamba/avro, matches struct fields to record fields by their
// "avro" tag, and bounds what Decode may allocate. Its name is
// "registry-avro".
//
// Avro registers schema under the subject that subject names for the
// schema's full name, and Encode writes the id it gets; [AutoRegister] and
// [SchemaID] choose otherwise. Decode reads the messages of any Avro schema
// that resolves against schema by Avro's rules (a field added with a
// default, a field removed, an int widened to a long): the first message
// of each other schema id fetches that schema.
func Avro[T any](ctx context.Context, client *sr.Client, subject Subject, schema string, opts ...Option) (codec.Codec[T], error) {
	// The Avro specification writes schemas in JSON, but hamba takes any
	// text that is not JSON for the name of a type.
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(schema), &raw); err != nil {
		return nil, errorf(avroName, "parse schema: invalid JSON: %w", err)
	}
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, errorf(avroName, "parse schema: %w", avroError{err})
	}
	c := &avroCodec[T]{
		schema: s,
		api: avro.Config{
			MaxByteSliceSize:  8 << 20, // bytes in one bytes or string value
			MaxSliceAllocSize: 1 << 20, // items in one array
		}.Freeze(),
		compat: avro.NewSchemaCompatibility(),
	}
	c.writers.fetch = func(ctx context.Context, id int) (avro.Schema, error) {
		return c.resolve(ctx, client, id)
	}
	o := newOptions(opts)
	if o.id != 0 {
		if err := c.checkID(ctx, client, o.id); err != nil {
			return nil, errorf(avroName, "%w", err)
		}
		c.id = o.id
		return c, nil
	}
	if subject == nil {
		return nil, errorf(avroName, "no subject")
	}
	name := string(s.Type())
	if n, ok := s.(avro.NamedSchema); ok {
		name = n.FullName()
	}
	c.id, err = schemaID(ctx, client, subject(name), sr.Schema{Schema: schema, Type: sr.TypeAvro}, o.lookup)
	if err != nil {
		return nil, errorf(avroName, "%w", err)
	}
	return c, nil
}

type avroCodec[T any] struct {
	id      int         // of schema in the registry
	schema  avro.Schema // the codec's own: Encode's, and what Decode reads into T
	api     avro.API
	compat  *avro.SchemaCompatibility
	writers schemas[avro.Schema] // by id: other schemas resolved against schema
}

func (*avroCodec[T]) Name() string { return avroName }

func (c *avroCodec[T]) Encode(v T) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, errorf(avroName, "encode panicked: %v", p)
		}
	}()
	w := avro.NewWriter(nil, 0, avro.WithWriterConfig(c.api))
	w.Write(appendHeader(make([]byte, 0, headerLen), c.id))
	w.WriteVal(c.schema, v)
	if w.Error != nil {
		return nil, errorf(avroName, "%w", avroError{w.Error})
	}
	return w.Buffer(), nil
}

func (c *avroCodec[T]) Decode(b []byte) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, errorf(avroName, "decode panicked: %v", p)
		}
	}()
	id, payload, err := splitHeader(b)
	if err != nil {
		return v, errorf(avroName, "%w", err)
	}
	s := c.schema
	if id != c.id {
		if s, err = c.writers.get(id); err != nil {
			return v, errorf(avroName, "%w", err)
		}
	}
	if err := decodeAvro(c.api, s, payload, &v); err != nil {
		var zero T
		return zero, errorf(avroName, "%w: payload does not match schema id %d: %w", ErrMismatch, id, err)
	}
	return v, nil
}

// decodeAvro decodes all of b into v, as codec.Avro does: it rejects
// truncated input and input with bytes left over after the value.
func decodeAvro(api avro.API, s avro.Schema, b []byte, v any) error {
	r := avro.NewReader(nil, 0, avro.WithReaderConfig(api))
	r.Reset(b)
	r.ReadVal(s, v)
	switch {
	case r.Error == nil:
		if r.Peek(); r.Error == nil {
			return errors.New("trailing data after the value")
		}
		return nil
	// hamba reports running out of input as a (possibly wrapped) io.EOF.
	case errors.Is(r.Error, io.EOF), errors.Is(r.Error, io.ErrUnexpectedEOF):
		return io.ErrUnexpectedEOF
	default:
		return avroError{r.Error}
	}
}

// checkID checks that the schema of id is the codec's own, for [SchemaID].
func (c *avroCodec[T]) checkID(ctx context.Context, client *sr.Client, id int) error {
	s, err := c.fetch(ctx, client, id)
	if err != nil {
		return err
	}
	if s.Fingerprint() != c.schema.Fingerprint() {
		return fmt.Errorf("%w: schema id %d is not the codec's schema", ErrMismatch, id)
	}
	return nil
}

// resolve returns the schema of id, resolved against the codec's for
// reading its messages into T.
func (c *avroCodec[T]) resolve(ctx context.Context, client *sr.Client, id int) (avro.Schema, error) {
	s, err := c.fetch(ctx, client, id)
	if err != nil {
		return nil, err
	}
	r, err := c.compat.Resolve(c.schema, s)
	if err != nil {
		return nil, fmt.Errorf("%w: schema id %d cannot be read as the codec's schema: %w", ErrMismatch, id, avroError{err})
	}
	return r, nil
}

// maxReferences bounds the schemas that one schema may bring in through its
// references, and so a registry's reference cycle.
const maxReferences = 100

// fetch returns the Avro schema of id, with the schemas it references.
func (c *avroCodec[T]) fetch(ctx context.Context, client *sr.Client, id int) (avro.Schema, error) {
	s, err := fetch(ctx, client, id)
	if err != nil {
		return nil, err
	}
	if s.Type != sr.TypeAvro {
		return nil, fmt.Errorf("%w: schema id %d is %s, not Avro", ErrMismatch, id, s.Type)
	}
	// The named types of the referenced schemas go into the cache the
	// schema is parsed with, those they reference first.
	cache := &avro.SchemaCache{}
	n := 0
	var parseRefs func(refs []sr.SchemaReference) error
	parseRefs = func(refs []sr.SchemaReference) error {
		for _, ref := range refs {
			if n++; n > maxReferences {
				return fmt.Errorf("%w: schema id %d has more than %d references", ErrMismatch, id, maxReferences)
			}
			rs, err := client.SchemaByVersion(ctx, ref.Subject, ref.Version)
			if err != nil {
				return fmt.Errorf("fetch %q version %d, referenced by schema id %d: %w", ref.Subject, ref.Version, id, err)
			}
			if err := parseRefs(rs.References); err != nil {
				return err
			}
			if _, err := avro.ParseWithCache(rs.Schema.Schema, "", cache); err != nil {
				return fmt.Errorf("%w: parse %q version %d, referenced by schema id %d: %w", ErrMismatch, ref.Subject, ref.Version, id, avroError{err})
			}
		}
		return nil
	}
	if err := parseRefs(s.References); err != nil {
		return nil, err
	}
	p, err := avro.ParseWithCache(s.Schema, "", cache)
	if err != nil {
		return nil, fmt.Errorf("%w: parse schema id %d: %w", ErrMismatch, id, avroError{err})
	}
	return p, nil
}
