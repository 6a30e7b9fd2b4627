package codec_test

import (
	"testing"

	"github.com/slipstream-go/slipstream/codec"
)

// upper is a codec without a Name method.
type upper struct{}

func (upper) Encode(v string) ([]byte, error) { return []byte(v), nil }
func (upper) Decode(b []byte) (string, error) { return string(b), nil }

func TestName(t *testing.T) {
	avro, err := codec.Avro[int64](`"long"`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ got, want string }{
		{codec.Name(codec.JSON[map[string]int]()), "json"},
		{codec.Name(codec.String()), "string"},
		{codec.Name(codec.Bytes()), "bytes"},
		{codec.Name(avro), "avro"},
		{codec.Name(codec.Int[int8]()), "int"},
		{codec.Name(codec.Uint[uint]()), "uint"},
		{codec.Name(codec.StringKey()), "stringkey"},
		{codec.Name(codec.Time()), "time"},
		{codec.Name[string](upper{}), "codec_test.upper"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Name = %q, want %q", tt.got, tt.want)
		}
	}
}

// roundTrip encodes v with c, decodes the result and returns it.
func roundTrip[T any](t *testing.T, c codec.Codec[T], v T) T {
	t.Helper()
	b, err := c.Encode(v)
	if err != nil {
		t.Fatalf("Encode(%v): %v", v, err)
	}
	got, err := c.Decode(b)
	if err != nil {
		t.Fatalf("Decode(Encode(%v)) = %v", v, err)
	}
	return got
}

// checkError checks that err is an error with text want.
func checkError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("got no error, want %q", want)
	} else if err.Error() != want {
		t.Errorf("got error %q, want %q", err, want)
	}
}
