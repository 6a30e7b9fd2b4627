package codec

import "bytes"

// Bytes returns the identity [Codec] for byte slices. Its name is "bytes".
//
// Encode returns its argument itself, not a copy: the caller must not modify
// the slice while the encoding is in use. Decode returns a copy, so the result
// never shares memory with the input.
func Bytes() Codec[[]byte] {
	return bytesCodec{}
}

type bytesCodec struct{}

func (bytesCodec) Name() string { return "bytes" }

func (bytesCodec) Encode(v []byte) ([]byte, error) { return v, nil }

func (bytesCodec) Decode(b []byte) ([]byte, error) { return bytes.Clone(b), nil }

// DecodeOwned is Decode for a b that the caller hands over (see
// internal/zerocopy): no copy.
func (bytesCodec) DecodeOwned(b []byte) ([]byte, error) { return b, nil }
