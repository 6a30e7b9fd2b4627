package codec

import (
	"encoding/binary"
	"fmt"
)

// signBit is the most significant bit of a 64-bit integer. Flipping it maps
// the signed integers, in order, onto the unsigned ones, in order.
const signBit = 1 << 63

// Int returns an order-preserving [Codec] for signed integers. Its name is
// "int".
//
// Every value, whatever the size of T, is encoded in 8 bytes: the value as a
// 64-bit two's complement integer with its sign bit flipped, most significant
// byte first. For any a and b, a < b if and only if the encoding of a sorts
// before the encoding of b byte by byte, so the encodings can serve as keys
// in an ordered store. Decode rejects input that is not 8 bytes long or that
// holds a value T cannot represent.
func Int[T ~int | ~int8 | ~int16 | ~int32 | ~int64]() Codec[T] {
	return intCodec[T]{}
}

type intCodec[T ~int | ~int8 | ~int16 | ~int32 | ~int64] struct{}

func (intCodec[T]) Name() string { return "int" }

func (intCodec[T]) Encode(v T) ([]byte, error) {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(v)^signBit), nil
}

func (intCodec[T]) Decode(b []byte) (T, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("codec int: want 8 bytes, got %d", len(b))
	}
	x := int64(binary.BigEndian.Uint64(b) ^ signBit)
	v := T(x)
	if int64(v) != x {
		return 0, fmt.Errorf("codec int: %d out of range for %T", x, v)
	}
	return v, nil
}

// Uint returns an order-preserving [Codec] for unsigned integers. Its name is
// "uint".
//
// Every value, whatever the size of T, is encoded in 8 bytes, most
// significant byte first, so that byte order is numeric order, as for [Int].
// Decode rejects input that is not 8 bytes long or that holds a value T cannot
// represent.
func Uint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr]() Codec[T] {
	return uintCodec[T]{}
}

type uintCodec[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr] struct{}

func (uintCodec[T]) Name() string { return "uint" }

func (uintCodec[T]) Encode(v T) ([]byte, error) {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), uint64(v)), nil
}

func (uintCodec[T]) Decode(b []byte) (T, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("codec uint: want 8 bytes, got %d", len(b))
	}
	x := binary.BigEndian.Uint64(b)
	v := T(x)
	if uint64(v) != x {
		return 0, fmt.Errorf("codec uint: %d out of range for %T", x, v)
	}
	return v, nil
}
