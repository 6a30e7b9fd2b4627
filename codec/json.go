package codec

import (
	"encoding/json"
	"fmt"
)

// JSON returns a [Codec] that encodes values of type T as JSON text, using
// [encoding/json]. Its name is "json".
//
// Decode rejects anything that is not a single JSON value, including
// trailing data after the value. Like [json.Unmarshal], it replaces invalid
// UTF-8 inside JSON strings with the Unicode replacement character.
func JSON[T any]() Codec[T] {
	return jsonCodec[T]{}
}

type jsonCodec[T any] struct{}

func (jsonCodec[T]) Name() string { return "json" }

func (jsonCodec[T]) Encode(v T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("codec json: %w", err)
	}
	return b, nil
}

func (jsonCodec[T]) Decode(b []byte) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("codec json: %w", err)
	}
	return v, nil
}
