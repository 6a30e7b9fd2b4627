package codec

import (
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// String returns a [Codec] for UTF-8 text: a string is encoded as its bytes.
// Its name is "string".
//
// Both Encode and Decode reject text that is not valid UTF-8. For keys that
// must sort in byte order, or for arbitrary byte strings, use [StringKey].
func String() Codec[string] {
	return stringCodec{}
}

type stringCodec struct{}

func (stringCodec) Name() string { return "string" }

func (stringCodec) Encode(v string) ([]byte, error) {
	b := []byte(v)
	if err := checkUTF8(b); err != nil {
		return nil, err
	}
	return b, nil
}

// EncodeView is Encode for a caller that only reads the bytes, and only
// until it has handed them on (see internal/zerocopy): the string's own
// bytes, no copy. Strings are
// immutable, and the bytes keep the string alive while the caller holds
// them.
func (stringCodec) EncodeView(v string) ([]byte, error) {
	b := unsafe.Slice(unsafe.StringData(v), len(v))
	if err := checkUTF8(b); err != nil {
		return nil, err
	}
	return b, nil
}

func (stringCodec) Decode(b []byte) (string, error) {
	if err := checkUTF8(b); err != nil {
		return "", err
	}
	return string(b), nil
}

// DecodeOwned is Decode for a b that the caller hands over and never
// touches again (see internal/zerocopy), as a Kafka consumer does with a
// message just received: the string is b's own bytes, no copy.
func (stringCodec) DecodeOwned(b []byte) (string, error) {
	if err := checkUTF8(b); err != nil {
		return "", err
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// checkUTF8 reports the position of the first invalid UTF-8 sequence in b.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	i := 0
	for {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Errorf("codec string: invalid UTF-8 at byte %d", i)
		}
		i += n
	}
}
