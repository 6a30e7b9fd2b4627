package codec

import (
	"encoding/binary"
	"fmt"
	"time"
)

// unixToZero is the number of seconds from the zero [time.Time], January 1
// of year 1 UTC, to the Unix epoch, January 1 1970 UTC.
const unixToZero = 62135596800

// Time returns an order-preserving [Codec] for instants in time. Its name is
// "time".
//
// A time is encoded in 12 bytes: the whole seconds since January 1 of year 1
// UTC (the zero [time.Time]) as for [Int], 8 bytes with the sign bit flipped,
// then the nanoseconds within that second, 4 bytes, most significant byte
// first. Every [time.Time] can be encoded, and t.Before(u) if and only if the
// encoding of t sorts before the encoding of u byte by byte.
//
// Only the instant is kept: the location and any monotonic clock reading are
// dropped, and Decode returns the time in UTC. A decoded time is therefore
// [time.Time.Equal] to the encoded one, but not necessarily == to it. Decode
// rejects input that is not 12 bytes long or has 1e9 nanoseconds or more.
func Time() Codec[time.Time] {
	return timeCodec{}
}

type timeCodec struct{}

func (timeCodec) Name() string { return "time" }

func (timeCodec) Encode(t time.Time) ([]byte, error) {
	// t.Unix() and time.Unix count from 1970 in int64 and wrap around for
	// times more than about 292 billion years away; shifting the origin to
	// year 1 with wrapping arithmetic recovers the time package's own,
	// unwrapped count of seconds.
	sec := t.Unix() + unixToZero
	b := make([]byte, 0, 12)
	b = binary.BigEndian.AppendUint64(b, uint64(sec)^signBit)
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	return b, nil
}

func (timeCodec) Decode(b []byte) (time.Time, error) {
	if len(b) != 12 {
		return time.Time{}, fmt.Errorf("codec time: want 12 bytes, got %d", len(b))
	}
	sec := int64(binary.BigEndian.Uint64(b)^signBit) - unixToZero
	nsec := binary.BigEndian.Uint32(b[8:])
	if nsec >= 1e9 {
		return time.Time{}, fmt.Errorf("codec time: want nanoseconds below 1e9, got %d", nsec)
	}
	return time.Unix(sec, int64(nsec)).UTC(), nil
}
