// Package zerocopy finds the copy-free forms of a codec's Encode and Decode,
// for a caller that only reads what it encodes until it hands the bytes on
// (a Kafka producer, which copies them) or hands over what it decodes (a
// Kafka consumer with a message just received). Codecs whose Encode or
// Decode copy to protect their caller, as codec.String and codec.Bytes do,
// have such forms; for the others these are Encode and Decode.
package zerocopy

import "github.com/slipstream-go/slipstream/codec"

// Encoder returns c's EncodeView if it has one, else c.Encode. The caller
// must not modify the bytes, nor read them once it has handed them on.
func Encoder[T any](c codec.Codec[T]) func(v T) ([]byte, error) {
	if v, ok := c.(interface{ EncodeView(T) ([]byte, error) }); ok {
		return v.EncodeView
	}
	return c.Encode
}

// Decoder returns c's DecodeOwned if it has one, else c.Decode. The caller
// must neither use nor modify the bytes again.
func Decoder[T any](c codec.Codec[T]) func(b []byte) (T, error) {
	if o, ok := c.(interface{ DecodeOwned([]byte) (T, error) }); ok {
		return o.DecodeOwned
	}
	return c.Decode
}
