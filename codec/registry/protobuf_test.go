package registry_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/codec/registry"
	"github.com/slipstream-go/slipstream/codec/registry/internal/examplepb"
)

func newProtobuf[T proto.Message](t testing.TB, client *sr.Client, subject registry.Subject, opts ...registry.Option) codec.Codec[T] {
	t.Helper()
	c, err := registry.Protobuf[T](context.Background(), client, subject, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testOrder() *examplepb.Order {
	return &examplepb.Order{
		Id:     "o-1",
		Total:  &examplepb.Money{Currency: "EUR", Units: 12, Nanos: 500_000_000},
		Placed: timestamppb.New(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)),
		Lines:  []*examplepb.Order_Line{{Sku: "tea", Quantity: 2}, {Sku: "scone", Quantity: 1}},
	}
}

// checkRoundTrip checks that v encodes to bytes that start with prefix and
// decode to v.
func checkRoundTrip[T proto.Message](t *testing.T, c codec.Codec[T], v T, prefix []byte) {
	t.Helper()
	b := mustEncode(t, c, v)
	if !bytes.HasPrefix(b, prefix) {
		t.Fatalf("Encode = %x, want it to start with %x", b, prefix)
	}
	got, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, v) {
		t.Fatalf("Decode(Encode(%v)) = %v", v, got)
	}
}

func TestProtobufRoundTrip(t *testing.T) {
	reg, client := newRegistry(t)
	c := newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"))
	if name := codec.Name(c); name != "registry-protobuf" {
		t.Errorf("Name = %q", name)
	}

	// order.proto is registered with a reference to money.proto, registered
	// under its import path; the well-known timestamp.proto is not.
	ss, ok := reg.GetSchema("orders-value", 1)
	if !ok || ss.Type != sr.TypeProtobuf {
		t.Fatalf("orders-value version 1 = %+v, %t", ss, ok)
	}
	want := []sr.SchemaReference{{Name: "examplepb/money.proto", Subject: "examplepb/money.proto", Version: 1}}
	if len(ss.References) != 1 || ss.References[0] != want[0] {
		t.Fatalf("references %+v, want %+v", ss.References, want)
	}
	if reg.SubjectExists("google/protobuf/timestamp.proto") {
		t.Error("a well-known type registered")
	}
	fd := new(descriptorpb.FileDescriptorProto)
	if b, err := base64.StdEncoding.DecodeString(ss.Schema.Schema); err != nil || proto.Unmarshal(b, fd) != nil || fd.GetName() != "examplepb/order.proto" {
		t.Fatalf("registered schema is not order.proto's descriptor: %.60q", ss.Schema.Schema)
	}

	// Index [0] is written as a single 0.
	checkRoundTrip(t, c, testOrder(), frame(ss.ID, "\x00", nil))
	checkRoundTrip(t, c, &examplepb.Order{}, frame(ss.ID, "\x00", nil))
}

func TestProtobufMessageIndexes(t *testing.T) {
	reg, client := newRegistry(t)
	orders := newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"))
	refunds := newProtobuf[*examplepb.Refund](t, client, registry.TopicValue("orders"))
	lines := newProtobuf[*examplepb.Order_Line](t, client, registry.TopicValue("orders"))
	if _, ok := reg.GetSchema("orders-value", 2); ok {
		t.Fatal("three messages of one file registered as more than one version")
	}
	ss, _ := reg.GetSchema("orders-value", 1)

	// Refund is [1], a length of 1 and an index of 1 as zigzag varints;
	// Order.Line is [0, 0].
	checkRoundTrip(t, refunds, &examplepb.Refund{OrderId: "o-1", Amount: &examplepb.Money{Units: 3}}, frame(ss.ID, "\x02\x02", nil))
	checkRoundTrip(t, lines, &examplepb.Order_Line{Sku: "tea"}, frame(ss.ID, "\x04\x00\x00", nil))

	// A refund is not an order, though it is of the same schema id.
	_, err := orders.Decode(mustEncode(t, refunds, &examplepb.Refund{OrderId: "o-1"}))
	checkErr(t, err, registry.ErrMismatch)
	_, err = refunds.Decode(mustEncode(t, orders, testOrder()))
	checkErr(t, err, registry.ErrMismatch)
}

func TestProtobufNoAutoRegister(t *testing.T) {
	reg, client := newRegistry(t)
	_, err := registry.Protobuf[*examplepb.Order](context.Background(), client, registry.TopicValue("orders"), registry.AutoRegister(false))
	if err == nil {
		t.Fatal("no error for a schema not registered, with auto-register off")
	}
	t.Log(err)
	if reg.SubjectExists("orders-value") || reg.SubjectExists("examplepb/money.proto") {
		t.Fatal("registered with auto-register off")
	}

	registered := newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"))
	found := newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"), registry.AutoRegister(false))
	if a, b := mustEncode(t, registered, testOrder()), mustEncode(t, found, testOrder()); !bytes.Equal(a, b) {
		t.Fatalf("the codec that registered encodes %x, the one that looked up %x", a, b)
	}
}

func TestProtobufSchemaID(t *testing.T) {
	reg, client := newRegistry(t)
	newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"))
	order, _ := reg.GetSchema("orders-value", 1)
	money, _ := reg.GetSchema("examplepb/money.proto", 1)

	// Refund's place in the file comes from the registered schema.
	c := newProtobuf[*examplepb.Refund](t, client, nil, registry.SchemaID(order.ID))
	checkRoundTrip(t, c, &examplepb.Refund{OrderId: "o-2"}, frame(order.ID, "\x02\x02", nil))
	if n := reg.count("POST /subjects/orders-value/versions"); n != 1 {
		t.Fatalf("%d registrations, want only the first codec's", n)
	}

	reg.SeedSchema("text", 1, 100, sr.Schema{Schema: `syntax = "proto3"; message Refund {}`, Type: sr.TypeProtobuf})
	reg.SeedSchema("avro", 1, 101, sr.Schema{Schema: `"string"`})
	for id, want := range map[int]error{
		money.ID: registry.ErrMismatch, // no Refund in money.proto
		100:      registry.ErrMismatch, // text, not a descriptor
		101:      registry.ErrMismatch, // Avro
		102:      registry.ErrUnknownSchema,
	} {
		_, err := registry.Protobuf[*examplepb.Refund](context.Background(), client, nil, registry.SchemaID(id))
		checkErr(t, err, want)
	}
}

// oldOrderFile is another version of order.proto: Refund first, and an
// Order of only an id.
func oldOrderFile() *descriptorpb.FileDescriptorProto {
	field := func(name string, n int32) *descriptorpb.FieldDescriptorProto {
		return &descriptorpb.FieldDescriptorProto{
			Name: proto.String(name), JsonName: proto.String(name), Number: proto.Int32(n),
			Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(),
			Type:  descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum(),
		}
	}
	return &descriptorpb.FileDescriptorProto{
		Name:    proto.String("examplepb/order.proto"),
		Package: proto.String("slipstream.example"),
		Syntax:  proto.String("proto3"),
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("Refund"), Field: []*descriptorpb.FieldDescriptorProto{field("order_id", 1)}},
			{Name: proto.String("Order"), Field: []*descriptorpb.FieldDescriptorProto{field("id", 1)}},
		},
	}
}

func TestProtobufReadsOtherVersions(t *testing.T) {
	reg, client := newRegistry(t)
	c := newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"))

	// A producer with the old file writes an order: index [1].
	fdp := oldOrderFile()
	raw, err := proto.Marshal(fdp)
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: base64.StdEncoding.EncodeToString(raw), Type: sr.TypeProtobuf})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := protodesc.NewFile(fdp, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := dynamicpb.NewMessage(fd.Messages().ByName("Order"))
	m.Set(fd.Messages().ByName("Order").Fields().ByName("id"), protoreflect.ValueOfString("old"))
	payload, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := c.Decode(frame(old, "\x02\x02", payload))
		if err != nil {
			t.Fatal(err)
		}
		if got.GetId() != "old" {
			t.Fatalf("Decode = %v, want id old", got)
		}
	}
	if n := reg.count("GET /schemas/ids/" + strconv.Itoa(old)); n != 1 {
		t.Fatalf("schema id %d fetched %d times, want once", old, n)
	}
	// Index [0] of the old file is a Refund.
	_, err = c.Decode(frame(old, "\x00", payload))
	checkErr(t, err, registry.ErrMismatch)
}

func TestProtobufDecodeErrors(t *testing.T) {
	reg, client := newRegistry(t)
	c := newProtobuf[*examplepb.Order](t, client, registry.TopicValue("orders"))
	ss, _ := reg.GetSchema("orders-value", 1)
	id := ss.ID
	reg.SeedSchema("avro", 1, 99, sr.Schema{Schema: `"string"`})
	good := mustEncode(t, c, testOrder())

	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, registry.ErrFraming},
		{"shorter than the header", good[:3], registry.ErrFraming},
		{"plain Protobuf", good[6:], registry.ErrFraming},
		{"no message index", good[:5], registry.ErrFraming},
		{"negative index count", frame(id, "\x01", nil), registry.ErrFraming},
		{"index count past the end", frame(id, "\x7e\x00", nil), registry.ErrFraming},
		{"negative index", frame(id, "\x02\x01", nil), registry.ErrFraming},
		{"truncated index", frame(id, "\x04\x00", nil), registry.ErrFraming},
		{"index out of range", frame(id, "\x02\x0a", nil), registry.ErrMismatch},
		{"nested index out of range", frame(id, "\x04\x00\x02", nil), registry.ErrMismatch},
		{"unknown schema id", frame(1000, "\x00", good[6:]), registry.ErrUnknownSchema},
		{"an Avro schema id", frame(99, "\x00", good[6:]), registry.ErrMismatch},
		{"bad payload", frame(id, "\x00", []byte{0xff}), registry.ErrMismatch},
		{"truncated payload", good[:len(good)-1], registry.ErrMismatch},
		{"invalid UTF-8 in a string", frame(id, "\x00", []byte{0x0a, 1, 0xff}), registry.ErrMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Decode(tc.b)
			checkErr(t, err, tc.want)
		})
	}
}

func TestProtobufWellKnownType(t *testing.T) {
	reg, client := newRegistry(t)
	c := newProtobuf[*timestamppb.Timestamp](t, client, registry.TopicKey("clock"))
	ss, ok := reg.GetSchema("clock-key", 1)
	if !ok || len(ss.References) != 0 {
		t.Fatalf("clock-key version 1 = %+v, %t", ss, ok)
	}
	checkRoundTrip(t, c, timestamppb.New(time.Unix(1700000000, 5)), frame(ss.ID, "\x00", nil))
}

func TestProtobufNotGenerated(t *testing.T) {
	_, client := newRegistry(t)
	ctx := context.Background()
	if _, err := registry.Protobuf[*dynamicpb.Message](ctx, client, registry.TopicValue("x")); err == nil {
		t.Error("dynamic message type: no error")
	} else {
		t.Log(err)
	}
	if _, err := registry.Protobuf[proto.Message](ctx, client, registry.TopicValue("x")); err == nil {
		t.Error("interface type: no error")
	} else {
		t.Log(err)
	}
	if _, err := registry.Protobuf[*examplepb.Order](ctx, client, nil); err == nil {
		t.Error("no subject: no error")
	}
}
