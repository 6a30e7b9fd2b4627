package registry

import (
	"encoding/binary"
	"fmt"
)

// The Confluent wire format: a magic byte 0, the schema id as 4 big-endian
// bytes, then (Protobuf only) the message-index array, then the payload.
const headerLen = 5

// appendHeader appends the magic byte and the schema id to b.
func appendHeader(b []byte, id int) []byte {
	return binary.BigEndian.AppendUint32(append(b, 0), uint32(id))
}

// splitHeader returns the schema id of a message in the wire format and the
// bytes after its header.
func splitHeader(b []byte) (id int, rest []byte, err error) {
	if len(b) < headerLen {
		return 0, nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrFraming, len(b), headerLen)
	}
	if b[0] != 0 {
		return 0, nil, fmt.Errorf("%w: first byte is 0x%02x, not the magic byte 0", ErrFraming, b[0])
	}
	return int(binary.BigEndian.Uint32(b[1:headerLen])), b[headerLen:], nil
}

// appendIndex appends a Protobuf message-index array to b: the path from the
// file down to a message, each step an index into the message types declared
// there. It is written as its length and its indexes, zigzag varints, with
// the common [0] (the file's first message) shortened to a single 0.
func appendIndex(b []byte, index []int) []byte {
	if len(index) == 1 && index[0] == 0 {
		return append(b, 0)
	}
	b = binary.AppendVarint(b, int64(len(index)))
	for _, i := range index {
		b = binary.AppendVarint(b, int64(i))
	}
	return b
}

// splitIndex reads a message-index array from the front of b.
func splitIndex(b []byte) (index []int, rest []byte, err error) {
	n, k := binary.Varint(b)
	if k <= 0 {
		return nil, nil, fmt.Errorf("%w: no message-index array after the header", ErrFraming)
	}
	b = b[k:]
	switch {
	case n == 0:
		return []int{0}, b, nil
	case n < 0 || n > int64(len(b)): // each index takes a byte at least
		return nil, nil, fmt.Errorf("%w: message-index array of length %d", ErrFraming, n)
	}
	index = make([]int, n)
	for j := range index {
		i, k := binary.Varint(b)
		if k <= 0 || i < 0 || i > 1<<31-1 {
			return nil, nil, fmt.Errorf("%w: malformed message index", ErrFraming)
		}
		index[j], b = int(i), b[k:]
	}
	return index, b, nil
}
