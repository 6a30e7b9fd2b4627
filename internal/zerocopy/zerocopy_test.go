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
	s, err := zerocopy.Decoder(codec.String())(b)
	if err != nil || s != "owned" {
		t.Errorf("Decoder(String) = %q, %v: want Decode's result", s, err)
	}
}
