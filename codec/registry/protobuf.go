package registry

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/slipstream-go/slipstream/codec"
)

const protoName = "registry-protobuf"

// Protobuf returns a codec for Protobuf messages of the generated type T,
// such as *orderpb.Order, in the Confluent wire format. Its name is
// "registry-protobuf".
//
// Protobuf registers the file that declares T, as a serialized file
// descriptor, under the subject that subject names for T's full name; each
// file it imports, other than those the registry knows already
// (google/protobuf/, google/type/, confluent/), is registered under its
// import path and referred to. Encode writes the id it gets and T's place
// in its file (the message index). [AutoRegister] and [SchemaID] choose
// otherwise.
//
// Decode reads the messages of any schema id whose message index names a
// message of T's full name: another version of the file, say, whose fields
// Protobuf's own rules match by number. The first message of each other
// schema id fetches that schema with format=serialized, which Confluent's
// registry answers with the file's descriptor, whatever form it was
// registered in.
func Protobuf[T proto.Message](ctx context.Context, client *sr.Client, subject Subject, opts ...Option) (codec.Codec[T], error) {
	mt, err := messageType[T]()
	if err != nil {
		return nil, errorf(protoName, "%w", err)
	}
	md := mt.Descriptor()
	c := &protoCodec[T]{mt: mt, name: md.FullName()}
	c.files.fetch = func(ctx context.Context, id int) (*descriptorpb.FileDescriptorProto, error) {
		return fetchFile(ctx, client, id)
	}
	var (
		own   *descriptorpb.FileDescriptorProto // the file of c.id
		index []int
		o     = newOptions(opts)
	)
	if o.id != 0 {
		if own, err = fetchFile(ctx, client, o.id); err != nil {
			return nil, errorf(protoName, "%w", err)
		}
		if index = indexOf(own, md.FullName()); index == nil {
			return nil, errorf(protoName, "%w: schema id %d does not declare message %s", ErrMismatch, o.id, md.FullName())
		}
		c.id = o.id
	} else {
		if subject == nil {
			return nil, errorf(protoName, "no subject")
		}
		var s sr.Schema
		refs := make(map[string]sr.SchemaReference)
		if own, s, err = fileSchema(ctx, client, md.ParentFile(), o.lookup, refs); err != nil {
			return nil, errorf(protoName, "%w", err)
		}
		if c.id, err = schemaID(ctx, client, subject(string(md.FullName())), s, o.lookup); err != nil {
			return nil, errorf(protoName, "%w", err)
		}
		index = messageIndex(md)
	}
	c.files.m.Store(c.id, schemaEntry[*descriptorpb.FileDescriptorProto]{s: own})
	c.header = appendIndex(appendHeader(nil, c.id), index)
	return c, nil
}

type protoCodec[T proto.Message] struct {
	id     int
	header []byte // of every message Encode writes: magic byte, id, message index
	mt     protoreflect.MessageType
	name   protoreflect.FullName                      // of T
	files  schemas[*descriptorpb.FileDescriptorProto] // by id
}

func (*protoCodec[T]) Name() string { return protoName }

func (c *protoCodec[T]) Encode(v T) (b []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, errorf(protoName, "encode panicked: %v", p)
		}
	}()
	b, err = proto.MarshalOptions{}.MarshalAppend(slices.Clone(c.header), v)
	if err != nil {
		return nil, errorf(protoName, "%w", err)
	}
	return b, nil
}

func (c *protoCodec[T]) Decode(b []byte) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, errorf(protoName, "decode panicked: %v", p)
		}
	}()
	id, rest, err := splitHeader(b)
	if err != nil {
		return v, errorf(protoName, "%w", err)
	}
	payload, ok := bytes.CutPrefix(rest, c.header[headerLen:])
	if id != c.id || !ok {
		if payload, err = c.check(id, rest); err != nil {
			return v, errorf(protoName, "%w", err)
		}
	}
	m := c.mt.New().Interface().(T)
	if err := proto.Unmarshal(payload, m); err != nil {
		return v, errorf(protoName, "%w: payload does not match schema id %d: %w", ErrMismatch, id, err)
	}
	return m, nil
}

// check reads the message index at the start of b, checks that it names a
// message of T's full name in the schema of id, and returns the payload
// after it.
func (c *protoCodec[T]) check(id int, b []byte) (payload []byte, err error) {
	index, payload, err := splitIndex(b)
	if err != nil {
		return nil, err
	}
	fd, err := c.files.get(id)
	if err != nil {
		return nil, err
	}
	name, ok := messageAt(fd, index)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: schema id %d has no message at index %v", ErrMismatch, id, index)
	case name != c.name:
		return nil, fmt.Errorf("%w: message %s (schema id %d, index %v), not %s", ErrMismatch, name, id, index, c.name)
	}
	return payload, nil
}

// messageType returns the message type of T, a generated message type.
func messageType[T proto.Message]() (mt protoreflect.MessageType, err error) {
	// A generated type answers ProtoReflect on a nil pointer; an
	// interface or a dynamic message has no type to give.
	defer func() {
		if recover() != nil {
			mt, err = nil, fmt.Errorf("%v is not a generated message type", reflect.TypeFor[T]())
		}
	}()
	var zero T
	mt = zero.ProtoReflect().Type()
	if _, ok := mt.New().Interface().(T); !ok {
		return nil, fmt.Errorf("%v is not a generated message type", reflect.TypeFor[T]())
	}
	return mt, nil
}

// fileSchema returns fd as a schema to register, with its references, and
// as the descriptor Decode reads message indexes in. refs holds the
// references made so far, by import path, so that a file imported twice is
// registered once.
func fileSchema(ctx context.Context, client *sr.Client, fd protoreflect.FileDescriptor, lookup bool, refs map[string]sr.SchemaReference) (*descriptorpb.FileDescriptorProto, sr.Schema, error) {
	s := sr.Schema{Type: sr.TypeProtobuf}
	imports := fd.Imports()
	for i := range imports.Len() {
		imp := imports.Get(i)
		if known(imp.Path()) {
			continue
		}
		if imp.IsPlaceholder() {
			return nil, sr.Schema{}, fmt.Errorf("%s imports %s, which is not linked into the program", fd.Path(), imp.Path())
		}
		ref, ok := refs[imp.Path()]
		if !ok {
			_, is, err := fileSchema(ctx, client, imp.FileDescriptor, lookup, refs)
			if err != nil {
				return nil, sr.Schema{}, err
			}
			if !lookup {
				if _, err := client.RegisterSchema(ctx, imp.Path(), is, -1, -1); err != nil {
					return nil, sr.Schema{}, fmt.Errorf("register %s under subject %q: %w", imp.Path(), imp.Path(), err)
				}
			}
			ss, err := lookupSchema(ctx, client, imp.Path(), is)
			if err != nil {
				return nil, sr.Schema{}, err
			}
			ref = sr.SchemaReference{Name: imp.Path(), Subject: imp.Path(), Version: ss.Version}
			refs[imp.Path()] = ref
		}
		s.References = append(s.References, ref)
	}
	fdp := protodesc.ToFileDescriptorProto(fd)
	fdp.SourceCodeInfo = nil // comments, which the registry need not keep
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(fdp)
	if err != nil {
		return nil, sr.Schema{}, fmt.Errorf("serialize %s: %w", fd.Path(), err)
	}
	s.Schema = base64.StdEncoding.EncodeToString(b)
	return fdp, s, nil
}

// known says whether the registry knows the file at path without being
// told, as Confluent's serializers assume.
func known(path string) bool {
	return strings.HasPrefix(path, "google/protobuf/") ||
		strings.HasPrefix(path, "google/type/") ||
		strings.HasPrefix(path, "confluent/")
}

// fetchFile returns the Protobuf file of schema id as a descriptor.
func fetchFile(ctx context.Context, client *sr.Client, id int) (*descriptorpb.FileDescriptorProto, error) {
	s, err := fetch(ctx, client, id, sr.Format("serialized"))
	if err != nil {
		return nil, err
	}
	if s.Type != sr.TypeProtobuf {
		return nil, fmt.Errorf("%w: schema id %d is %s, not Protobuf", ErrMismatch, id, s.Type)
	}
	b, err := base64.StdEncoding.DecodeString(s.Schema)
	if err != nil {
		// A registry that does not know format=serialized sends the
		// .proto text, which this package does not parse.
		return nil, fmt.Errorf("%w: schema id %d is not a serialized file descriptor", ErrMismatch, id)
	}
	fd := new(descriptorpb.FileDescriptorProto)
	if err := proto.Unmarshal(b, fd); err != nil {
		return nil, fmt.Errorf("%w: schema id %d: %w", ErrMismatch, id, err)
	}
	return fd, nil
}

// messageIndex returns the message index of md: the path to it from its
// file, each step an index into the messages declared at that level.
func messageIndex(md protoreflect.MessageDescriptor) []int {
	var index []int
	for d := protoreflect.Descriptor(md); ; d = d.Parent() {
		index = append(index, d.Index())
		if _, ok := d.Parent().(protoreflect.MessageDescriptor); !ok {
			break
		}
	}
	slices.Reverse(index)
	return index
}

// messageAt returns the full name of the message at index in fd.
func messageAt(fd *descriptorpb.FileDescriptorProto, index []int) (protoreflect.FullName, bool) {
	name := protoreflect.FullName(fd.GetPackage())
	msgs := fd.GetMessageType()
	for _, i := range index {
		if i >= len(msgs) {
			return "", false
		}
		name = name.Append(protoreflect.Name(msgs[i].GetName()))
		msgs = msgs[i].GetNestedType()
	}
	return name, true
}

// indexOf returns the message index of the message called name in fd, or
// nil if fd declares none.
func indexOf(fd *descriptorpb.FileDescriptorProto, name protoreflect.FullName) []int {
	var find func(prefix protoreflect.FullName, msgs []*descriptorpb.DescriptorProto) []int
	find = func(prefix protoreflect.FullName, msgs []*descriptorpb.DescriptorProto) []int {
		for i, m := range msgs {
			full := prefix.Append(protoreflect.Name(m.GetName()))
			if full == name {
				return []int{i}
			}
			if rest := find(full, m.GetNestedType()); rest != nil {
				return append([]int{i}, rest...)
			}
		}
		return nil
	}
	return find(protoreflect.FullName(fd.GetPackage()), fd.GetMessageType())
}
