package zerocopy_test

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/zerocopy"
)

func TestEncoderViewsAString(t *testing.T) {
	s := strings.Repeat("borrowed ", 2)
	got, err := zerocopy.Encoder(codec.String())(s)
	if err != nil || string(got) != s || &got[0] != unsafe.StringData(s) {
		t.Errorf("Encoder(String) = %q, %v: want a view of the string itself", got, err)
	}
	if _, err := zerocopy.Encoder(codec.String())("\xff"); err == nil {
		t.Error("Encoder(String) took invalid UTF-8")
	}
	key, err := zerocopy.Encoder(codec.StringKey())(s)
	if err != nil || string(key) != s || &key[0] != unsafe.StringData(s) {
		t.Errorf("Encoder(StringKey) = %q, %v: want a view of the string itself", key, err)
	}
	n, err := zerocopy.Encoder(codec.Int[int64]())(7)
	if want, _ := codec.Int[int64]().Encode(7); err != nil || string(n) != string(want) {
		t.Errorf("Encoder(Int64) = %x, %v: want Encode's %x", n, err, want)
	}
}

func TestDecoderTakesBytesOver(t *testing.T) {
	b := []byte("owned")
	got, err := zerocopy.Decoder(codec.Bytes())(b)
	if err != nil || &got[0] != &b[0] {
		t.Errorf("Decoder(Bytes) = %q, %v: want the input itself", got, err)
	}
	copied, err := codec.Bytes().Decode(b)
	if err != nil || &copied[0] == &b[0] {
		t.Errorf("Bytes().Decode = %q, %v: want a copy", copied, err)
	}
	for name, c := range map[string]codec.Codec[string]{"String": codec.String(), "StringKey": codec.StringKey()} {
		s, err := zerocopy.Decoder(c)(b)
		if err != nil || s != "owned" || unsafe.StringData(s) != &b[0] {
			t.Errorf("Decoder(%s) = %q, %v: want the input's own bytes", name, s, err)
		}
		if copied, _ := c.Decode(b); unsafe.StringData(copied) == &b[0] {
			t.Errorf("%s().Decode shares the input's bytes: want a copy", name)
		}
	}
	if _, err := zerocopy.Decoder(codec.String())([]byte("\xff")); err == nil {
		t.Error("Decoder(String) took invalid UTF-8")
	}
}
