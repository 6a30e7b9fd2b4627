package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// fetchTimeout bounds Decode's wait for a schema it has not seen, on top of
// the client's own HTTP timeout (5 s unless the client was given another
// http.Client).
const fetchTimeout = 30 * time.Second

// schemas holds what a codec made of the schemas of the messages it has
// decoded, by schema id: a resolved Avro schema, a Protobuf file. Each is
// fetched from the registry once and kept, as a schema id never changes
// meaning; so is a schema found not to fit the codec. A schema that could
// not be fetched is asked for again by the next message that needs it.
type schemas[S any] struct {
	fetch func(ctx context.Context, id int) (S, error)
	m     sync.Map   // int → schemaEntry[S]
	mu    sync.Mutex // held while fetching, so that one fetch of an id serves all who wait for it
}

type schemaEntry[S any] struct {
	s   S
	err error // wraps ErrMismatch
}

func (c *schemas[S]) get(id int) (S, error) {
	if e, ok := c.m.Load(id); ok {
		return e.(schemaEntry[S]).s, e.(schemaEntry[S]).err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m.Load(id); ok {
		return e.(schemaEntry[S]).s, e.(schemaEntry[S]).err
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	s, err := c.fetch(ctx, id)
	if err == nil || errors.Is(err, ErrMismatch) {
		c.m.Store(id, schemaEntry[S]{s, err})
	}
	return s, err
}

// fetch returns the schema of an id, with an error wrapping
// ErrUnknownSchema if the registry has none.
func fetch(ctx context.Context, client *sr.Client, id int, params ...sr.Param) (sr.Schema, error) {
	if len(params) > 0 {
		ctx = sr.WithParams(ctx, params...)
	}
	s, err := client.SchemaByID(ctx, id)
	switch {
	case notFound(err):
		return sr.Schema{}, fmt.Errorf("%w %d: %w", ErrUnknownSchema, id, err)
	case err != nil:
		return sr.Schema{}, fmt.Errorf("fetch schema id %d: %w", id, err)
	}
	return s, nil
}

// schemaID returns the id of schema s under subject: registered there, or,
// with lookup, found there.
func schemaID(ctx context.Context, client *sr.Client, subject string, s sr.Schema, lookup bool) (int, error) {
	if lookup {
		ss, err := lookupSchema(ctx, client, subject, s)
		return ss.ID, err
	}
	id, err := client.RegisterSchema(ctx, subject, s, -1, -1)
	if err != nil {
		return 0, fmt.Errorf("register schema under subject %q: %w", subject, err)
	}
	return id, nil
}

// lookupSchema returns the id and version of schema s under subject, and
// an error if it is not registered there.
func lookupSchema(ctx context.Context, client *sr.Client, subject string, s sr.Schema) (sr.SubjectSchema, error) {
	ss, err := client.LookupSchema(ctx, subject, s)
	switch {
	case notFound(err):
		return sr.SubjectSchema{}, fmt.Errorf("schema not registered under subject %q: %w", subject, err)
	case err != nil:
		return sr.SubjectSchema{}, fmt.Errorf("look schema up under subject %q: %w", subject, err)
	}
	return ss, nil
}

// notFound says whether err is the registry's answer that what was asked
// for does not exist.
func notFound(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}
