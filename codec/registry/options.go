package registry

// An Option changes how a codec's constructor finds the schema id that
// Encode writes.
type Option func(*options)

type options struct {
	lookup bool // look the schema up under its subject, never register it
	id     int  // if not 0, write with this id: nothing is registered or looked up
}

// AutoRegister(false) makes the constructor look the codec's schema up under
// its subject, and fail if it is not there, instead of registering it. Turn
// it off where producers may not change the registry, as Confluent's
// auto.register.schemas=false does. By default the constructor registers
// the schema, which for a schema the subject has already is a lookup.
func AutoRegister(on bool) Option {
	return func(o *options) { o.lookup = !on }
}

// SchemaID makes Encode write the given schema id: nothing is registered or
// looked up by subject. The constructor fetches that schema and checks that
// it is the codec's: for Avro, a schema of the same canonical form; for
// Protobuf, a file that declares the codec's message, whose place in that
// file Encode then writes.
func SchemaID(id int) Option {
	return func(o *options) { o.id = id }
}

func newOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
