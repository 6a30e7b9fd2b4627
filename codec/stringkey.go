package codec

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
