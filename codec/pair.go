package codec

import (
	"bytes"
	"fmt"
)

// A Pair is a key of two parts, such as an event's time and its ID: with
// [PairKey], pairs sort by First, then by Second.
type Pair[A, B any] struct {
	First  A
	Second B
}

// NewPair returns the pair of first and second.
func NewPair[A, B any](first A, second B) Pair[A, B] {
	return Pair[A, B]{First: first, Second: second}
}

// String formats p as "(first, second)".
func (p Pair[A, B]) String() string { return fmt.Sprintf("(%v, %v)", p.First, p.Second) }

// PairKey returns an order-preserving [Codec] for pairs, which encodes each
// part with its own codec. Its name is "pair".
//
// When first and second are order-preserving, as [Int], [Uint], [StringKey]
// and [Time] are, so is the pair's: p sorts before q byte by byte exactly
// when p.First < q.First, or the firsts are equal and p.Second < q.Second.
// A cache keyed by PairKey(Time(), StringKey()) thus keeps every event of
// one instant, one per ID, in time order, where a cache keyed by Time()
// kept the last one.
//
// The encoding is First's, each 0x00 byte in it escaped as 0x00 0xff and
// ended by 0x00 0x01, then Second's as it is. The end marker sorts before
// any byte that may follow it in a longer first part, so that ("ab", x)
// sorts before ("abc", y) whatever x and y are. Decode rejects input
// without the end marker, or with 0x00 followed by anything else.
func PairKey[A, B any](first Codec[A], second Codec[B]) Codec[Pair[A, B]] {
	return pairCodec[A, B]{first, second}
}

// The bytes that follow 0x00 in the first part of an encoded pair.
const (
	pairEnd     = 0x01 // the end of the first part
	pairEscaped = 0xff // a 0x00 byte of the first part
)

type pairCodec[A, B any] struct {
	first  Codec[A]
	second Codec[B]
}

func (pairCodec[A, B]) Name() string { return "pair" }

func (c pairCodec[A, B]) Encode(p Pair[A, B]) ([]byte, error) {
	a, err := c.first.Encode(p.First)
	if err != nil {
		return nil, fmt.Errorf("codec pair: first part: %w", err)
	}
	b, err := c.second.Encode(p.Second)
	if err != nil {
		return nil, fmt.Errorf("codec pair: second part: %w", err)
	}
	out := make([]byte, 0, len(a)+bytes.Count(a, []byte{0})+2+len(b))
	for {
		i := bytes.IndexByte(a, 0)
		if i < 0 {
			break
		}
		out = append(out, a[:i+1]...)
		out = append(out, pairEscaped)
		a = a[i+1:]
	}
	out = append(out, a...)
	out = append(out, 0, pairEnd)
	return append(out, b...), nil
}

func (c pairCodec[A, B]) Decode(b []byte) (Pair[A, B], error) {
	var p Pair[A, B]
	first := make([]byte, 0, len(b))
	rest := b
	for {
		i := bytes.IndexByte(rest, 0)
		if i < 0 || i+1 == len(rest) {
			return p, fmt.Errorf("codec pair: no end to the first part (0x00 0x01) in %d bytes", len(b))
		}
		first = append(first, rest[:i]...)
		next := rest[i+1]
		rest = rest[i+2:]
		if next == pairEnd {
			break
		}
		if next != pairEscaped {
			return p, fmt.Errorf("codec pair: byte %#02x after 0x00 at byte %d: want 0x01 (end) or 0xff (escaped 0x00)", next, len(b)-len(rest)-1)
		}
		first = append(first, 0)
	}
	var err error
	if p.First, err = c.first.Decode(first); err != nil {
		return p, fmt.Errorf("codec pair: first part: %w", err)
	}
	if p.Second, err = c.second.Decode(rest); err != nil {
		return p, fmt.Errorf("codec pair: second part: %w", err)
	}
	return p, nil
}
