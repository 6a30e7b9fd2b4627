package registry_test

import (
	"encoding/base64"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/proto"

	"github.com/slipstream-go/slipstream/codec/registry"
	"github.com/slipstream-go/slipstream/codec/registry/internal/examplepb"
)

// The fuzz tests decode anything, against a registry that holds the
// codec's schema and an older version of it: Decode must return an error,
// never panic, and what it accepts must encode and decode to itself.

func FuzzDecodeAvro(f *testing.F) {
	reg, client := newRegistry(f)
	c := newOrderCodec(f, client)
	v1, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: orderV1})
	if err != nil {
		f.Fatal(err)
	}
	note := "n"
	f.Add(mustEncode(f, c, order{ID: "a", Amount: 1, Note: &note}))
	f.Add(mustEncode(f, c, order{}))
	f.Add(frame(v1, "", []byte{2, 'a', 14}))
	f.Add(frame(1000, "", []byte{2, 'a', 14}))
	f.Add([]byte{0, 0, 0})
	f.Add([]byte(`{"id": "a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := c.Decode(b)
		if err != nil {
			return
		}
		v2, err := c.Decode(mustEncode(t, c, v))
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("Decode(%x) = %+v, which encodes and decodes to %+v, %v", b, v, v2, err)
		}
	})
}

func FuzzDecodeProtobuf(f *testing.F) {
	reg, client := newRegistry(f)
	c := newProtobuf[*examplepb.Order](f, client, registry.TopicValue("orders"))
	raw, err := proto.Marshal(oldOrderFile())
	if err != nil {
		f.Fatal(err)
	}
	old, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: base64.StdEncoding.EncodeToString(raw), Type: sr.TypeProtobuf})
	if err != nil {
		f.Fatal(err)
	}
	good := mustEncode(f, c, testOrder())
	f.Add(good)
	f.Add(mustEncode(f, c, &examplepb.Order{}))
	f.Add(frame(old, "\x02\x02", good[6:]))
	f.Add(frame(old, "\x00", good[6:]))
	f.Add(frame(1, "\x04\x00\x00", []byte{0x0a, 1, 'x'}))
	f.Add(frame(1, "\x7e", nil))
	f.Add(frame(1000, "\x00", nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := c.Decode(b)
		if err != nil {
			return
		}
		v2, err := c.Decode(mustEncode(t, c, v))
		if err != nil || !proto.Equal(v, v2) {
			t.Fatalf("Decode(%x) = %v, which encodes and decodes to %v, %v", b, v, v2, err)
		}
	})
}
