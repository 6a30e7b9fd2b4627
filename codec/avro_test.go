package codec_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/slipstream-go/slipstream/codec"
)

const userSchema = `{
	"type": "record",
	"name": "User",
	"namespace": "test",
	"fields": [
		{"name": "name", "type": "string"},
		{"name": "age", "type": "long"},
		{"name": "email", "type": ["null", "string"], "default": null},
		{"name": "tags", "type": {"type": "array", "items": "string"}},
		{"name": "scores", "type": {"type": "map", "values": "int"}},
		{"name": "active", "type": "boolean"},
		{"name": "data", "type": "bytes"},
		{"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
		{"name": "id", "type": {"type": "fixed", "name": "ID", "size": 4}}
	]
}`

type user struct {
	Name   string           `avro:"name"`
	Age    int64            `avro:"age"`
	Email  *string          `avro:"email"`
	Tags   []string         `avro:"tags"`
	Scores map[string]int32 `avro:"scores"`
	Active bool             `avro:"active"`
	Data   []byte           `avro:"data"`
	Color  string           `avro:"color"`
	ID     [4]byte          `avro:"id"`
}

func newUserCodec(t testing.TB) codec.Codec[user] {
	t.Helper()
	c, err := codec.Avro[user](userSchema)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAvroRoundTrip(t *testing.T) {
	email := "ada@example.com"
	users := []user{
		{Tags: []string{}, Scores: map[string]int32{}, Data: []byte{}, Color: "RED"},
		{
			Name:   "Ada",
			Age:    36,
			Email:  &email,
			Tags:   []string{"admin", "日本"},
			Scores: map[string]int32{"a": 1, "b": -2},
			Active: true,
			Data:   []byte{0, 1, 255},
			Color:  "BLUE",
			ID:     [4]byte{1, 2, 3, 4},
		},
		{Name: "neg", Age: -1 << 63, Tags: []string{""}, Scores: map[string]int32{"": 1<<31 - 1}, Data: []byte{}, Color: "GREEN"},
	}
	c := newUserCodec(t)
	for _, u := range users {
		if got := roundTrip(t, c, u); !reflect.DeepEqual(got, u) {
			t.Errorf("round trip of %+v = %+v", u, got)
		}
	}
}

func TestAvroPrimitives(t *testing.T) {
	c, err := codec.Avro[int64](`"long"`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Encode(-3)
	if err != nil || string(b) != "\x05" {
		t.Errorf("Encode(-3) = %q, %v; want zigzag varint \"\\x05\"", b, err)
	}
	for _, v := range []int64{0, 1, -1, 1 << 62, -1 << 63} {
		if got := roundTrip(t, c, v); got != v {
			t.Errorf("round trip of %d = %d", v, got)
		}
	}
}

// Two codecs may give different schemas to the same name.
func TestAvroSchemasIndependent(t *testing.T) {
	for _, s := range []string{
		`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}`,
		`{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}`,
	} {
		if _, err := codec.Avro[map[string]any](s); err != nil {
			t.Errorf("Avro(%s): %v", s, err)
		}
	}
}

func TestAvroSchemaErrors(t *testing.T) {
	tests := []struct {
		schema string
		want   string
	}{
		{`{"type": "nope"}`, "codec avro: parse schema: unknown type: nope"},
		{`{"type":`, "codec avro: parse schema: invalid JSON: unexpected end of JSON input"},
		{`{"type": "record", "name": "R", "fields": [{"name": "a"}]}`, "codec avro: parse schema: field requires a type"},
	}
	for _, tt := range tests {
		c, err := codec.Avro[user](tt.schema)
		checkError(t, err, tt.want)
		if c != nil {
			t.Errorf("Avro(%s) returned a codec with its error", tt.schema)
		}
	}
}

func TestAvroFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "user.avsc")
	if err := os.WriteFile(path, []byte(userSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := codec.AvroFile[user](path)
	if err != nil {
		t.Fatal(err)
	}
	u := user{Name: "x", Tags: []string{}, Scores: map[string]int32{}, Data: []byte{}, Color: "RED"}
	if got := roundTrip(t, c, u); !reflect.DeepEqual(got, u) {
		t.Errorf("round trip of %+v = %+v", u, got)
	}

	bad := filepath.Join(dir, "bad.avsc")
	if err := os.WriteFile(bad, []byte(`{"type": "nope"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = codec.AvroFile[user](bad)
	checkError(t, err, "codec avro: parse schema "+bad+": unknown type: nope")

	missing := filepath.Join(dir, "missing.avsc")
	_, err = codec.AvroFile[user](missing)
	checkError(t, err, "codec avro: read schema: open "+missing+": no such file or directory")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestAvroDecodeErrors(t *testing.T) {
	long, err := codec.Avro[int64](`"long"`)
	if err != nil {
		t.Fatal(err)
	}
	str, err := codec.Avro[string](`"string"`)
	if err != nil {
		t.Fatal(err)
	}
	nulls, err := codec.Avro[[]any](`{"type": "array", "items": "null"}`)
	if err != nil {
		t.Fatal(err)
	}
	mismatch, err := codec.Avro[string](`"long"`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    func([]byte) error
		in   string
		want string
	}{
		{"empty", decodeErr(long), "", "codec avro: unexpected EOF"},
		{"truncated varint", decodeErr(long), "\x80", "codec avro: unexpected EOF"},
		{"trailing", decodeErr(long), "\x02\x03", "codec avro: trailing data after value"},
		{"negative length", decodeErr(str), "\x03", "codec avro: ReadSTRING: invalid string length"},
		{"huge string", decodeErr(str), "\xfe\xff\xff\xff\x0f", "codec avro: ReadSTRING: size is greater than `Config.MaxByteSliceSize`"},
		{"short string", decodeErr(str), "\x06ab", "codec avro: unexpected EOF"},
		{"huge array", decodeErr(nulls), "\xfe\xff\xff\xff\xff\xff\xff\x7f\x00", "codec avro: decode array: size is greater than `Config.MaxSliceAllocSize`"},
		{"type mismatch", decodeErr(mismatch), "\x02", "codec avro: string is unsupported for Avro long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, tt.c([]byte(tt.in)), tt.want)
		})
	}

	_, err = long.Decode(nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Decode(nil) error %v does not wrap io.ErrUnexpectedEOF", err)
	}
	_, err = mismatch.Encode("x")
	checkError(t, err, "codec avro: string is unsupported for Avro long")
}

func decodeErr[T any](c codec.Codec[T]) func([]byte) error {
	return func(b []byte) error {
		_, err := c.Decode(b)
		return err
	}
}

func TestAvroDecodeRecordErrors(t *testing.T) {
	c := newUserCodec(t)
	email := "e"
	full, err := c.Encode(user{Name: "n", Email: &email, Tags: []string{"t"}, Scores: map[string]int32{"s": 1}, Data: []byte{1}, Color: "GREEN"})
	if err != nil {
		t.Fatal(err)
	}
	// Every proper prefix of a valid encoding is truncated.
	for i := range full {
		v, err := c.Decode(full[:i])
		if err == nil {
			t.Errorf("Decode of %d-byte prefix of %d bytes: no error", i, len(full))
		}
		if !reflect.DeepEqual(v, user{}) {
			t.Errorf("Decode of %d-byte prefix = %+v with error, want zero value", i, v)
		}
	}
	if _, err := c.Decode(append(full, 0)); err == nil {
		t.Error("Decode with a trailing byte: no error")
	}
}

func TestAvroConcurrent(t *testing.T) {
	c := newUserCodec(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				u := user{Name: fmt.Sprint(i, j), Age: int64(j), Tags: []string{}, Scores: map[string]int32{"i": int32(i)}, Data: []byte{byte(j)}, Color: "GREEN"}
				b, err := c.Encode(u)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := c.Decode(b)
				if err != nil || !reflect.DeepEqual(got, u) {
					t.Errorf("round trip of %+v = %+v, %v", u, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
