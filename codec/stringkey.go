package codec

import "unsafe"

// StringKey returns an order-preserving [Codec] for strings. Its name is
// "stringkey".
//
// A string is encoded as its bytes, unchanged. Go compares strings byte by
// byte, so the order of the encodings is the order of the strings, and the
// encoding of a prefix of s is a prefix of the encoding of s: a byte-prefix
// scan over an ordered store finds every key that starts with a given string.
//
// Unlike [String], StringKey accepts any bytes, valid UTF-8 or not; every
// byte string is the encoding of exactly one Go string, so Decode never fails.
func StringKey() Codec[string] {
	return stringKeyCodec{}
}

type stringKeyCodec struct{}

func (stringKeyCodec) Name() string { return "stringkey" }

func (stringKeyCodec) Encode(v string) ([]byte, error) { return []byte(v), nil }

func (stringKeyCodec) Decode(b []byte) (string, error) { return string(b), nil }

// EncodeView is Encode for a caller that only reads the bytes, and only
// until it has handed them on (see internal/zerocopy): the string's own
// bytes, no copy.
func (stringKeyCodec) EncodeView(v string) ([]byte, error) {
	return unsafe.Slice(unsafe.StringData(v), len(v)), nil
}

// DecodeOwned is Decode for a b that the caller hands over and never
// touches again (see internal/zerocopy): the string is b's own bytes, no
// copy.
func (stringKeyCodec) DecodeOwned(b []byte) (string, error) {
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}
