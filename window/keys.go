package window

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/slipstream-go/slipstream/codec"
)

// The keys of an operator's state begin with a tag byte:
//
//	's'                            the partition's stream time (value: 8 bytes)
//	'w' pair(key, start)           a window (value: its accumulator; a
//	                               session's end, 8 bytes, comes first)
//	'x' time(closes) pair(key, start)
//	                               the index of windows by the stream time
//	                               at which they close (value: a mark)
//
// where pair is [codec.PairKey] of the record key's codec and [codec.Time],
// and time is [codec.Time]: so the windows of a key lie together in time
// order, and the windows that have closed are a prefix of the index.
const (
	tagStreamTime = 's'
	tagWindow     = 'w'
	tagIndex      = 'x'
	timeLen       = 12 // codec.Time's length
)

// Index marks: what to do with a window once it closes.
const (
	markClose  = 'c' // emit its final result (in EmitFinal mode) and delete it, unless it is a sliding window's instant
	markExpire = 'e' // delete it, emitting nothing
)

var (
	streamTimeKey = []byte{tagStreamTime}
	indexStart    = []byte{tagIndex}
	indexEnd      = []byte{tagIndex + 1}
	times         = codec.Time()
)

// noTime is the stream time of a partition that has seen no record.
const noTime = math.MinInt64

// keys encodes and decodes the keys of an operator's state.
type keys[K any] struct {
	pair codec.Codec[codec.Pair[K, time.Time]]
}

func newKeys[K any](c codec.Codec[K]) keys[K] {
	return keys[K]{pair: codec.PairKey(c, codec.Time())}
}

// window returns the key of k's window (or sliding instant) at start.
func (ks keys[K]) window(k K, start int64) ([]byte, error) { return ks.at(tagWindow, k, start) }

// at returns the state key of k at time t behind tag.
func (ks keys[K]) at(tag byte, k K, t int64) ([]byte, error) {
	b, err := ks.pair.Encode(codec.NewPair(k, time.Unix(0, t)))
	if err != nil {
		return nil, fmt.Errorf("window: key %v: %w", k, err)
	}
	return append([]byte{tag}, b...), nil
}

// index returns the index key of window key w, which closes at closes.
func index(w []byte, closes int64) []byte {
	t, _ := times.Encode(time.Unix(0, closes))
	return append(append([]byte{tagIndex}, t...), w[1:]...)
}

// indexTo returns the first index key of windows closing after at.
func indexTo(at int64) []byte {
	t, _ := times.Encode(time.Unix(0, at+1))
	return append([]byte{tagIndex}, t...)
}

// fromIndex returns the window key of index key x, and when it closes.
func fromIndex(x []byte) (w []byte, closes int64, err error) {
	if len(x) < 1+timeLen || x[0] != tagIndex {
		return nil, 0, fmt.Errorf("window: %q is not an index key", x)
	}
	t, err := times.Decode(x[1 : 1+timeLen])
	if err != nil {
		return nil, 0, err
	}
	return append([]byte{tagWindow}, x[1+timeLen:]...), t.UnixNano(), nil
}

// decode returns the record key and start of window key w.
func (ks keys[K]) decode(w []byte) (K, int64, error) {
	p, err := ks.pair.Decode(w[1:])
	if err != nil {
		var zero K
		return zero, 0, fmt.Errorf("window: state key %q: %w", w, err)
	}
	return p.First, p.Second.UnixNano(), nil
}

// nanos encodes a time in Unix nanoseconds.
func nanos(t int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(t)) }

// fromNanos decodes what nanos encoded.
func fromNanos(b []byte) (int64, error) {
	if len(b) < 8 {
		return 0, fmt.Errorf("window: a time of %d bytes, want 8", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
