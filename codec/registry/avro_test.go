package registry_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/codec/registry"
)

const orderSchema = `{
	"type": "record",
	"name": "Order",
	"namespace": "shop",
	"fields": [
		{"name": "id", "type": "string"},
		{"name": "amount", "type": "long"},
		{"name": "note", "type": ["null", "string"], "default": null}
	]
}`

type order struct {
	ID     string  `avro:"id"`
	Amount int64   `avro:"amount"`
	Note   *string `avro:"note"`
}

// orderV1 is an older version of orderSchema: no note, an int amount.
const orderV1 = `{
	"type": "record", "name": "Order", "namespace": "shop",
	"fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "int"}]
}`

func newOrderCodec(t testing.TB, client *sr.Client, opts ...registry.Option) codec.Codec[order] {
	t.Helper()
	c, err := registry.Avro[order](context.Background(), client, registry.TopicValue("orders"), orderSchema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAvroRoundTrip(t *testing.T) {
	reg, client := newRegistry(t)
	c := newOrderCodec(t, client)
	if name := codec.Name(c); name != "registry-avro" {
		t.Errorf("Name = %q", name)
	}
	ss, ok := reg.GetSchema("orders-value", 1)
	if !ok || ss.Schema.Schema != orderSchema {
		t.Fatalf("orders-value version 1 = %+v, %t; want the codec's schema", ss, ok)
	}
	note := "gift"
	for _, o := range []order{{ID: "a", Amount: 10}, {ID: "b", Amount: -1 << 40, Note: &note}} {
		b := mustEncode(t, c, o)
		if !bytes.HasPrefix(b, frame(ss.ID, "", nil)) {
			t.Fatalf("Encode(%+v) = %x, want the magic byte and id %d first", o, b, ss.ID)
		}
		got, err := c.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, o) {
			t.Fatalf("Decode(Encode(%+v)) = %+v", o, got)
		}
	}

	// A second codec of the same schema finds the same id, registering
	// nothing new; the codecs read each other's messages.
	c2 := newOrderCodec(t, client, registry.AutoRegister(false))
	if b, b2 := mustEncode(t, c, order{ID: "x"}), mustEncode(t, c2, order{ID: "x"}); !bytes.Equal(b, b2) {
		t.Fatalf("two codecs of one schema encode %x and %x", b, b2)
	}
	if _, ok := reg.GetSchema("orders-value", 2); ok {
		t.Fatal("a second version registered for the same schema")
	}
}

func TestAvroDecodeDoesNotKeepInput(t *testing.T) {
	_, client := newRegistry(t)
	c := newOrderCodec(t, client)
	note := "note"
	b := mustEncode(t, c, order{ID: "id", Note: &note})
	got, err := c.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 'x'
	}
	if got.ID != "id" || *got.Note != "note" {
		t.Fatalf("decoded value changed with its input: %+v", got)
	}
}

func TestAvroSubjects(t *testing.T) {
	for _, tc := range []struct {
		subject registry.Subject
		want    string
	}{
		{registry.TopicValue("orders"), "orders-value"},
		{registry.TopicKey("orders"), "orders-key"},
		{registry.RecordName, "shop.Order"},
		{registry.TopicRecordName("orders"), "orders-shop.Order"},
		{registry.Named("payments"), "payments"},
	} {
		reg, client := newRegistry(t)
		if _, err := registry.Avro[order](context.Background(), client, tc.subject, orderSchema); err != nil {
			t.Fatal(err)
		}
		if !reg.SubjectExists(tc.want) {
			t.Errorf("schema not registered under %q", tc.want)
		}
	}
}

func TestAvroNoAutoRegister(t *testing.T) {
	reg, client := newRegistry(t)
	_, err := registry.Avro[order](context.Background(), client, registry.TopicValue("orders"), orderSchema, registry.AutoRegister(false))
	if err == nil || !strings.Contains(err.Error(), `not registered under subject "orders-value"`) {
		t.Fatalf("error %v, want one saying the schema is not registered", err)
	}
	t.Log(err)
	if reg.SubjectExists("orders-value") {
		t.Fatal("registered with auto-register off")
	}

	id, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: orderSchema})
	if err != nil {
		t.Fatal(err)
	}
	c := newOrderCodec(t, client, registry.AutoRegister(false))
	if b := mustEncode(t, c, order{}); !bytes.HasPrefix(b, frame(id, "", nil)) {
		t.Fatalf("Encode = %x, want id %d", b, id)
	}
}

func TestAvroSchemaID(t *testing.T) {
	reg, client := newRegistry(t)
	// The same schema, written otherwise: the same canonical form.
	reg.SeedSchema("anything", 1, 42, sr.Schema{Schema: strings.Join(strings.Fields(orderSchema), " ")})
	reg.SeedSchema("anything", 2, 43, sr.Schema{Schema: orderV1})
	reg.SeedSchema("proto", 1, 44, sr.Schema{Schema: "syntax = \"proto3\";", Type: sr.TypeProtobuf})

	c := newOrderCodec(t, client, registry.SchemaID(42))
	if b := mustEncode(t, c, order{}); !bytes.HasPrefix(b, frame(42, "", nil)) {
		t.Fatalf("Encode = %x, want id 42", b)
	}
	if n := reg.count("POST /subjects/orders-value/versions") + reg.count("POST /subjects/orders-value"); n != 0 {
		t.Fatalf("%d requests by subject with a given schema id", n)
	}

	for id, want := range map[int]error{43: registry.ErrMismatch, 44: registry.ErrMismatch, 45: registry.ErrUnknownSchema} {
		_, err := registry.Avro[order](context.Background(), client, nil, orderSchema, registry.SchemaID(id))
		checkErr(t, err, want)
	}
}

func TestAvroReadsOtherVersions(t *testing.T) {
	reg, client := newRegistry(t)
	c := newOrderCodec(t, client)

	// A message of the older version: an int amount, no note.
	v1, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: orderV1})
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte{2, 'a'}                 // id "a"
	payload = binary.AppendVarint(payload, 7) // amount 7, an Avro int
	got, err := c.Decode(frame(v1, "", payload))
	if err != nil {
		t.Fatal(err)
	}
	if want := (order{ID: "a", Amount: 7}); !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode = %+v, want %+v", got, want)
	}
	// The writer's schema is fetched once.
	for range 3 {
		if _, err := c.Decode(frame(v1, "", payload)); err != nil {
			t.Fatal(err)
		}
	}
	if n := reg.count("GET /schemas/ids/" + strconv.Itoa(v1)); n != 1 {
		t.Fatalf("schema id %d fetched %d times, want once", v1, n)
	}

	// A schema that does not resolve against the codec's: no id field.
	other, _, err := reg.RegisterSchema("other", sr.Schema{Schema: `{"type": "record", "name": "Order", "namespace": "shop", "fields": [{"name": "amount", "type": "long"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err = c.Decode(frame(other, "", []byte{2}))
		checkErr(t, err, registry.ErrMismatch)
	}
	if n := reg.count("GET /schemas/ids/" + strconv.Itoa(other)); n != 1 {
		t.Fatalf("schema id %d that does not fit fetched %d times, want once", other, n)
	}
}

func TestAvroConcurrentDecode(t *testing.T) {
	reg, client := newRegistry(t)
	c := newOrderCodec(t, client)
	v1, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: orderV1})
	if err != nil {
		t.Fatal(err)
	}
	own := mustEncode(t, c, order{ID: "own", Amount: 2})
	old := frame(v1, "", []byte{2, 'a', 14})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, b := range [][]byte{old, own, old} {
				if _, err := c.Decode(b); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := reg.count("GET /schemas/ids/" + strconv.Itoa(v1)); n != 1 {
		t.Fatalf("schema id %d fetched %d times by 8 goroutines, want once", v1, n)
	}
}

func TestAvroReadsReferences(t *testing.T) {
	reg, client := newRegistry(t)
	type line struct {
		SKU string `avro:"sku"`
	}
	type basket struct {
		Lines []line `avro:"lines"`
	}
	c, err := registry.Avro[basket](context.Background(), client, registry.TopicValue("baskets"), `{
		"type": "record", "name": "Basket", "namespace": "shop",
		"fields": [{"name": "lines", "type": {"type": "array", "items": {
			"type": "record", "name": "Line", "fields": [{"name": "sku", "type": "string"}]}}}]
	}`)
	if err != nil {
		t.Fatal(err)
	}
	// The same, with Line registered on its own and referred to.
	reg.SeedSchema("shop.Line", 1, 50, sr.Schema{Schema: `{"type": "record", "name": "Line", "namespace": "shop", "fields": [{"name": "sku", "type": "string"}]}`})
	reg.SeedSchema("baskets-value", 7, 51, sr.Schema{
		Schema:     `{"type": "record", "name": "Basket", "namespace": "shop", "fields": [{"name": "lines", "type": {"type": "array", "items": "shop.Line"}}]}`,
		References: []sr.SchemaReference{{Name: "shop.Line", Subject: "shop.Line", Version: 1}},
	})
	got, err := c.Decode(frame(51, "", []byte{2, 2, 'x', 0}))
	if err != nil {
		t.Fatal(err)
	}
	if want := (basket{Lines: []line{{"x"}}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("Decode = %+v, want %+v", got, want)
	}
}

func TestAvroDecodeErrors(t *testing.T) {
	reg, client := newRegistry(t)
	c := newOrderCodec(t, client)
	good := mustEncode(t, c, order{ID: "a", Amount: 1})
	reg.SeedSchema("proto", 1, 99, sr.Schema{Schema: "syntax = \"proto3\";", Type: sr.TypeProtobuf})

	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, registry.ErrFraming},
		{"shorter than the header", good[:4], registry.ErrFraming},
		{"plain JSON", []byte(`{"id": "a", "amount": 1}`), registry.ErrFraming},
		{"magic byte 1", append([]byte{1}, good[1:]...), registry.ErrFraming},
		{"unknown schema id", frame(1000, "", good[5:]), registry.ErrUnknownSchema},
		{"a Protobuf schema id", frame(99, "", good[5:]), registry.ErrMismatch},
		{"truncated payload", good[:len(good)-1], registry.ErrMismatch},
		{"trailing data", append(good[:len(good):len(good)], 0), registry.ErrMismatch},
		{"bad union index", append(good[:len(good)-1:len(good)-1], 8), registry.ErrMismatch},
		{"header only", good[:5], registry.ErrMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Decode(tc.b)
			checkErr(t, err, tc.want)
			if !strings.HasPrefix(err.Error(), "codec registry-avro: ") {
				t.Errorf("error %q does not start with the codec's name", err)
			}
		})
	}
}

func TestAvroRegistryDown(t *testing.T) {
	reg, client := newRegistry(t)
	c := newOrderCodec(t, client)
	v1, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: orderV1})
	if err != nil {
		t.Fatal(err)
	}
	b := frame(v1, "", []byte{2, 'a', 14})

	reg.setDown(true)
	if _, err := c.Decode(mustEncode(t, c, order{ID: "own"})); err != nil {
		t.Fatalf("decoding the codec's own schema asked the registry: %v", err)
	}
	_, err = c.Decode(b)
	if err == nil {
		t.Fatal("no error with the registry down")
	}
	for _, e := range []error{registry.ErrFraming, registry.ErrUnknownSchema, registry.ErrMismatch} {
		if errors.Is(err, e) {
			t.Fatalf("error %v with the registry down says the message will never decode", err)
		}
	}
	t.Log(err)

	reg.setDown(false)
	if _, err := c.Decode(b); err != nil {
		t.Fatalf("once the registry is back: %v", err)
	}
}

func TestAvroConstructorErrors(t *testing.T) {
	reg, client := newRegistry(t)
	ctx := context.Background()
	for name, schema := range map[string]string{"not JSON": "shop.Order", "not a schema": `{"type": "nothing"}`} {
		if _, err := registry.Avro[order](ctx, client, registry.TopicValue("x"), schema); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := registry.Avro[order](ctx, client, nil, orderSchema); err == nil {
		t.Error("no subject: no error")
	}
	reg.setDown(true)
	if _, err := registry.Avro[order](ctx, client, registry.TopicValue("x"), orderSchema); err == nil {
		t.Error("registry down: no error")
	}
}

func TestAvroEncodeError(t *testing.T) {
	_, client := newRegistry(t)
	c, err := registry.Avro[map[string]any](context.Background(), client, registry.TopicValue("orders"), orderSchema)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Encode(map[string]any{"id": 1}); err == nil {
		t.Fatal("no error for a value that does not match the schema")
	} else {
		t.Log(err)
	}
}
