// Package codec converts values to bytes and back.
//
// A [Codec] for a type T has two methods: Encode turns a T into bytes, and
// Decode turns bytes back into a T. Kafka topics use one codec for message
// keys and another for message values; the Cache uses them for its keys and
// values. Bytes handed to Decode come from outside the program, so Decode
// must return an error, never panic, whatever it is given.
//
// # Built-in codecs
//
// For message values:
//
//   - [JSON] encodes any Go value as JSON text, using [encoding/json].
//   - [Avro] and [AvroFile] encode values in the Avro binary encoding of a
//     schema.
//   - [String] encodes text, which must be valid UTF-8.
//   - [Bytes] passes byte slices through unchanged.
//
// For keys that must sort in value order:
//
//   - [Int] and [Uint] encode integers of any size in 8 bytes.
//   - [StringKey] encodes strings as their bytes.
//   - [Time] encodes instants in time in 12 bytes.
//   - [PairKey] encodes a [Pair] of keys with their two codecs, such as
//     an event's time and ID, so that events of one instant do not
//     overwrite each other.
//
// Each built-in codec has a short name, such as "json" or "int", which
// [Name] returns and which begins the codec's error messages:
//
//	codec int: want 8 bytes, got 3
//
// # Order-preserving keys
//
// An ordered store, such as the persistent Cache, keeps its keys sorted by
// comparing their encodings byte by byte, as [bytes.Compare] does. Range and
// prefix scans over such a store are only meaningful if byte order agrees with
// the order of the values themselves. Most encodings do not have that
// property: the JSON text "10" sorts before "9", and in two's complement -1
// is 0xff...ff, which sorts after every positive number.
//
// The key codecs are built so that for any values a and b, a < b exactly when
// the encoding of a sorts before the encoding of b. [Int] writes big-endian
// bytes, so that the most significant byte is compared first, and flips the
// sign bit, so that negative numbers sort before positive ones:
//
//	-1  7f ff ff ff ff ff ff ff
//	 0  80 00 00 00 00 00 00 00
//	 1  80 00 00 00 00 00 00 01
//
// All encodings from one of these codecs have the same length, except those
// of [StringKey], where a shorter string that is a prefix of a longer one
// sorts first, as Go's string comparison says it should, and those of
// [PairKey], which ends its first part with a marker that sorts before
// anything a longer first part could hold.
//
// # Writing a codec
//
// Any type with Encode and Decode methods of the right signatures is a
// [Codec]. An optional Name method gives the codec a name for [Name]. For
// example, a codec for [net/netip.Addr] that uses the address's own binary
// form:
//
//	type addrCodec struct{}
//
//	func (addrCodec) Name() string { return "addr" }
//
//	func (addrCodec) Encode(a netip.Addr) ([]byte, error) {
//		return a.MarshalBinary()
//	}
//
//	func (addrCodec) Decode(b []byte) (netip.Addr, error) {
//		var a netip.Addr
//		if err := a.UnmarshalBinary(b); err != nil {
//			return netip.Addr{}, fmt.Errorf("codec addr: %w", err)
//		}
//		return a, nil
//	}
//
// Decode must not keep or return b itself, which the caller may reuse after
// Decode returns; it should copy whatever it needs. A codec should be safe for
// concurrent use by multiple goroutines, as all the built-in codecs are.
package codec
