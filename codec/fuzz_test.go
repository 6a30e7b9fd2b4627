package codec_test

import (
	"bytes"
	"cmp"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slipstream-go/slipstream/codec"
)

// checkReencode checks that a value Decode accepted encodes without error and
// that the encoding decodes to an equal value with the same encoding.
func checkReencode[T any](t *testing.T, c codec.Codec[T], v T) {
	t.Helper()
	b1, err := c.Encode(v)
	if err != nil {
		t.Fatalf("Encode of decoded %#v: %v", v, err)
	}
	v2, err := c.Decode(b1)
	if err != nil {
		t.Fatalf("Decode(Encode(%#v)): %v", v, err)
	}
	if !reflect.DeepEqual(v, v2) {
		t.Fatalf("decoded %#v, re-encoded and decoded %#v", v, v2)
	}
	b2, err := c.Encode(v2)
	if err != nil {
		t.Fatalf("Encode of %#v: %v", v2, err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("%#v encodes to %q, then to %q", v, b1, b2)
	}
}

// checkExact checks that Decode accepts b and that the result encodes to b.
func checkExact[T any](t *testing.T, c codec.Codec[T], b []byte) {
	t.Helper()
	v, err := c.Decode(b)
	if err != nil {
		t.Fatalf("Decode(%q): %v", b, err)
	}
	if b2, err := c.Encode(v); err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("Decode(%q) = %#v, which encodes to %q, %v", b, v, b2, err)
	}
}

func FuzzDecodeJSONMap(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[true,null,"x"],"c":{"d":-1.5e300}}`, `{"\ud800":"\xff"}`, `null`, `[]`} {
		f.Add([]byte(s))
	}
	c := codec.JSON[map[string]any]()
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := c.Decode(b); err == nil {
			checkReencode(t, c, v)
		}
	})
}

type jsonRecord struct {
	ID     int64             `json:"id"`
	Name   string            `json:"name"`
	Score  float64           `json:"score"`
	OK     bool              `json:"ok"`
	Tags   []string          `json:"tags"`
	Attrs  map[string]uint16 `json:"attrs"`
	Parent *jsonRecord       `json:"parent"`
	Raw    []byte            `json:"raw"`
}

func FuzzDecodeJSONStruct(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"id":-9223372036854775808,"name":"n","score":0.1,"ok":true,"tags":["a"],"attrs":{"k":65535},"parent":{"id":1},"raw":"AAE="}`,
		`{"ID":1,"Name":"case-insensitive"}`,
		`{"id":1e2}`,
	} {
		f.Add([]byte(s))
	}
	c := codec.JSON[jsonRecord]()
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := c.Decode(b); err == nil {
			checkReencode(t, c, v)
		}
	})
}

func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{"", "hello", "日本語", "\xff", "a\xc3"} {
		f.Add([]byte(s))
	}
	c := codec.String()
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := c.Decode(b)
		if utf8.Valid(b) != (err == nil) {
			t.Fatalf("Decode(%q) error = %v, but utf8.Valid = %t", b, err, utf8.Valid(b))
		}
		if err == nil {
			checkExact(t, c, b)
		}
	})
}

func FuzzDecodeAvro(f *testing.F) {
	c := newUserCodec(f)
	email := "e@example.com"
	for _, u := range []user{
		{Color: "RED"},
		{Name: "Ada", Age: -36, Email: &email, Tags: []string{"a", "b"}, Scores: map[string]int32{"x": 1}, Active: true, Data: []byte{0, 255}, Color: "BLUE", ID: [4]byte{1, 2, 3, 4}},
	} {
		b, err := c.Encode(u)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte("\x02a\x02\x00\xfe\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Avro has more than one encoding of some values (long varints,
		// blocks of any length), so only the re-encoding must be stable.
		if v, err := c.Decode(b); err == nil {
			checkReencode(t, c, v)
		}
	})
}

func FuzzDecodeInt(f *testing.F) {
	for _, s := range []string{"", "\x80\x00\x00\x00\x00\x00\x00\x00", "\x7f\xff\xff\xff\xff\xff\xff\x80", "\x80\x00\x00\x00\x00\x00\x00\x80", "\x00"} {
		f.Add([]byte(s))
	}
	i8, i64 := codec.Int[int8](), codec.Int[int64]()
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := i64.Decode(b)
		if (len(b) == 8) != (err == nil) {
			t.Fatalf("Int[int64].Decode(%x) error = %v", b, err)
		}
		if err == nil {
			checkExact(t, i64, b)
		}
		_, err = i8.Decode(b)
		if want := len(b) == 8 && -128 <= v && v <= 127; want != (err == nil) {
			t.Fatalf("Int[int8].Decode(%x) error = %v", b, err)
		}
		if err == nil {
			checkExact(t, i8, b)
		}
	})
}

func FuzzDecodeUint(f *testing.F) {
	for _, s := range []string{"", "\x00\x00\x00\x00\x00\x00\x00\x00", "\xff\xff\xff\xff\xff\xff\xff\xff", "\x00\x00\x00\x00\x00\x00\x01\x00"} {
		f.Add([]byte(s))
	}
	u8, u64 := codec.Uint[uint8](), codec.Uint[uint64]()
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := u64.Decode(b)
		if (len(b) == 8) != (err == nil) {
			t.Fatalf("Uint[uint64].Decode(%x) error = %v", b, err)
		}
		if err == nil {
			checkExact(t, u64, b)
		}
		_, err = u8.Decode(b)
		if want := len(b) == 8 && v <= 255; want != (err == nil) {
			t.Fatalf("Uint[uint8].Decode(%x) error = %v", b, err)
		}
		if err == nil {
			checkExact(t, u8, b)
		}
	})
}

func FuzzDecodeTime(f *testing.F) {
	c := codec.Time()
	for _, tm := range []time.Time{{}, time.Unix(0, 0), minTime, maxTime} {
		b, err := c.Encode(tm)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x80\x00\x00\x00\x00\x00\x00\x00\x3b\x9a\xca\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// The encoding is one to one: every 12 bytes with fewer than 1e9
		// nanoseconds is the encoding of exactly one time.
		if _, err := c.Decode(b); err == nil {
			checkExact(t, c, b)
		}
	})
}

func FuzzIntOrder(f *testing.F) {
	f.Add(int64(-1), int64(0))
	f.Add(int64(-1<<63), int64(1<<63-1))
	f.Add(int64(255), int64(256))
	c := codec.Int[int64]()
	f.Fuzz(func(t *testing.T, a, b int64) {
		checkOrder(t, c, a, b, cmp.Compare)
		checkOrder(t, codec.Int[int8](), int8(a), int8(b), cmp.Compare)
		checkOrder(t, codec.Uint[uint64](), uint64(a), uint64(b), cmp.Compare)
	})
}

func FuzzTimeOrder(f *testing.F) {
	f.Add(int64(0), uint32(0), int64(-1), uint32(999999999), int16(0))
	f.Add(int64(-1<<63), uint32(0), int64(1<<63-1), uint32(999999999), int16(60))
	f.Add(int64(1700000000), uint32(5), int64(1700000000), uint32(6), int16(-300))
	c := codec.Time()
	f.Fuzz(func(t *testing.T, secA int64, nsecA uint32, secB int64, nsecB uint32, zone int16) {
		// Times anywhere in the representable range; b in a fixed zone,
		// which must not affect the order.
		a := sinceZero(secA, int64(nsecA%1e9))
		b := sinceZero(secB, int64(nsecB%1e9)).In(time.FixedZone("Z", int(zone)*60))
		checkOrder(t, c, a, b, time.Time.Compare)
	})
}

func FuzzStringKeyOrder(f *testing.F) {
	f.Add("", "a")
	f.Add("ab", "a\xff")
	f.Add("日本", "日")
	c := codec.StringKey()
	f.Fuzz(func(t *testing.T, a, b string) {
		checkOrder(t, c, a, b, strings.Compare)
		ea, eb := mustEncode(t, c, a), mustEncode(t, c, b)
		if strings.HasPrefix(a, b) != bytes.HasPrefix(ea, eb) {
			t.Fatalf("HasPrefix(%q, %q) = %t, but not for the encodings", a, b, strings.HasPrefix(a, b))
		}
	})
}
