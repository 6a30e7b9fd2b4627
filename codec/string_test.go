package codec_test

import (
	"bytes"
	"testing"

	"github.com/slipstream-go/slipstream/codec"
)

func TestStringRoundTrip(t *testing.T) {
	c := codec.String()
	for _, s := range []string{"", "hello", "日本語", "\x00\x7f", "\uFFFD", "😀"} {
		b, err := c.Encode(s)
		if err != nil {
			t.Fatalf("Encode(%q): %v", s, err)
		}
		if string(b) != s {
			t.Errorf("Encode(%q) = %q, want the string's bytes", s, b)
		}
		if got := roundTrip(t, c, s); got != s {
			t.Errorf("round trip of %q = %q", s, got)
		}
	}
}

func TestStringErrors(t *testing.T) {
	c := codec.String()
	tests := []struct {
		in   string
		want string
	}{
		{"\xff", "codec string: invalid UTF-8 at byte 0"},
		{"ab\xc3", "codec string: invalid UTF-8 at byte 2"},
		{"日本\xe8\xaa", "codec string: invalid UTF-8 at byte 6"},
		{"\xed\xa0\x80", "codec string: invalid UTF-8 at byte 0"}, // surrogate half
	}
	for _, tt := range tests {
		v, err := c.Decode([]byte(tt.in))
		checkError(t, err, tt.want)
		if v != "" {
			t.Errorf("Decode(%q) = %q with error, want empty", tt.in, v)
		}
		_, err = c.Encode(tt.in)
		checkError(t, err, tt.want)
	}
}

func TestBytes(t *testing.T) {
	c := codec.Bytes()
	for _, in := range [][]byte{nil, {}, {0}, []byte("\xff\x00 any bytes")} {
		b, err := c.Encode(in)
		if err != nil || !bytes.Equal(b, in) {
			t.Errorf("Encode(%q) = %q, %v; want the input", in, b, err)
		}
		out, err := c.Decode(in)
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("Decode(%q) = %q, %v; want the input", in, out, err)
		}
	}

	in := []byte("abc")
	out, _ := c.Decode(in)
	in[0] = 'x'
	if string(out) != "abc" {
		t.Errorf("Decode result changed with its input: %q", out)
	}
}
