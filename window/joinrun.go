package window

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/slipstream-go/slipstream/kafka"
)

// The keys of a stream–stream join's state, besides the stream time and
// the index of package window's layout (see keys.go):
//
//	'L' pair(key, time) offset     a left record (value: its encoded value)
//	'R' pair(key, time) offset     a right record
//	'x' time(expires) 'L'|'R' pair(key, time) offset
//	                               the index of records by when they expire
//
// with the offset in 8 bytes, big-endian, so that records of one key and
// one instant do not overwrite each other.
const (
	tagLeft  = 'L'
	tagRight = 'R'
	offLen   = 8

	joinScanMax = 10000 // the most expired records one record's expiry deletes
)

// A joinOutput is what a join's handlers make: a write to its state, or a
// pair.
type joinOutput[K, L, R any] struct {
	paired bool
	write  write
	pair   Pair[K, L, R]
}

// A joinRecord is a message of either stream, its value encoded.
type joinRecord[K any] struct {
	side  byte // tagLeft or tagRight
	key   K
	t     int64
	p     int32
	off   int64
	value []byte
}

// A stored record of the other stream, found in the state.
type stored struct {
	t, off int64
	value  []byte
}

func (j *StreamJoin[K, L, R]) handleLeft(ctx context.Context, m kafka.Message[K, L], emit func(joinOutput[K, L, R])) error {
	b, err := j.c.Left.Encode(m.Value)
	if err != nil {
		return fmt.Errorf("window: %v: %s partition %d offset %d: encoding its value: %w", j, m.Topic, m.Partition, m.Offset, err)
	}
	rec := joinRecord[K]{tagLeft, m.Key, m.Timestamp.UnixNano(), m.Partition, m.Offset, b}
	return j.handle(ctx, rec, m.Timestamp, emit, func(s stored) (Pair[K, L, R], error) {
		v, err := j.c.Right.Decode(s.value)
		r := kafka.Message[K, R]{Key: m.Key, Value: v, Timestamp: time.Unix(0, s.t), Topic: j.right.Name(), Partition: m.Partition, Offset: s.off}
		return Pair[K, L, R]{Left: m, Right: r}, err
	})
}

func (j *StreamJoin[K, L, R]) handleRight(ctx context.Context, m kafka.Message[K, R], emit func(joinOutput[K, L, R])) error {
	b, err := j.c.Right.Encode(m.Value)
	if err != nil {
		return fmt.Errorf("window: %v: %s partition %d offset %d: encoding its value: %w", j, m.Topic, m.Partition, m.Offset, err)
	}
	rec := joinRecord[K]{tagRight, m.Key, m.Timestamp.UnixNano(), m.Partition, m.Offset, b}
	return j.handle(ctx, rec, m.Timestamp, emit, func(s stored) (Pair[K, L, R], error) {
		v, err := j.c.Left.Decode(s.value)
		l := kafka.Message[K, L]{Key: m.Key, Value: v, Timestamp: time.Unix(0, s.t), Topic: j.left.Name(), Partition: m.Partition, Offset: s.off}
		return Pair[K, L, R]{Left: l, Right: m}, err
	})
}

// handle keeps rec in the state, pairs it with the other stream's records
// of its key within the time difference, and deletes the records that
// stream time has left behind. A late record is counted and dropped.
func (j *StreamJoin[K, L, R]) handle(ctx context.Context, rec joinRecord[K], at time.Time, emit func(joinOutput[K, L, R]), pair func(stored) (Pair[K, L, R], error)) error {
	fail := func(err error) error {
		return fmt.Errorf("window: %v: partition %d offset %d: %w", j, rec.p, rec.off, err)
	}
	if at.Before(minTime) || at.After(maxTime) {
		return fail(fmt.Errorf("event time %v is out of range (%v to %v)", at, minTime.UTC(), maxTime.UTC()))
	}
	jp := j.part(rec.p)
	if jp.stale.Load() {
		// A right partition is read once the table holds it (tableHeld),
		// but the table may have given it up since, in a rebalance.
		if err := waitHeld(ctx, j.table.t.Held, rec.p); err != nil {
			return fail(err)
		}
	}
	jp.mu.Lock()
	defer jp.mu.Unlock()
	if jp.stale.Load() {
		if err := j.readClock(jp, rec.p); err != nil {
			return fail(err)
		}
	}
	if jp.now != noTime && rec.t < jp.now-int64(j.w.Grace) {
		j.late.Add(1)
		j.lateLog.log(j.logger, "join", j.String(), "key", rec.key, "time", at.UTC(), "stream_time", time.Unix(0, jp.now).UTC(), "partition", rec.p, "offset", rec.off)
		return nil
	}
	put := func(k, v []byte) { emit(joinOutput[K, L, R]{write: write{p: rec.p, key: k, value: v}}) }
	key, err := j.recordKey(rec.side, rec.key, rec.t, rec.off)
	if err != nil {
		return fail(err)
	}
	put(key, rec.value)
	put(expiryKey(key, rec.t+int64(j.w.Within+j.w.Grace)+1), []byte{markExpire})
	if err := j.pairs(rec, emit, pair); err != nil {
		return fail(err)
	}
	if rec.t <= jp.now {
		return nil
	}
	jp.now = rec.t
	put(streamTimeKey, nanos(jp.now))
	if err := j.expire(rec.p, jp.now, emit); err != nil {
		return fail(err)
	}
	return nil
}

// readClock reads partition p's stream time from the state.
func (j *StreamJoin[K, L, R]) readClock(jp *joinPart, p int32) error {
	b, ok, err := j.table.get(p, streamTimeKey)
	if err != nil {
		return fmt.Errorf("reading stream time: %w", err)
	}
	jp.now = noTime
	if ok {
		if jp.now, err = fromNanos(b); err != nil {
			return fmt.Errorf("stream time: %w", err)
		}
	}
	jp.stale.Store(false)
	return nil
}

// pairs sends a pair of rec with each record of the other stream with its
// key within the time difference of it.
func (j *StreamJoin[K, L, R]) pairs(rec joinRecord[K], emit func(joinOutput[K, L, R]), pair func(stored) (Pair[K, L, R], error)) error {
	other := byte(tagRight)
	if rec.side == tagRight {
		other = tagLeft
	}
	within := int64(j.w.Within)
	lo, err := j.keys.at(other, rec.key, rec.t-within)
	if err != nil {
		return err
	}
	hi, err := j.keys.at(other, rec.key, rec.t+within+1)
	if err != nil {
		return err
	}
	it, err := j.table.iter(rec.p)
	if err != nil {
		return err
	}
	it = it.Range(lo, hi)
	for k, v := range it.Items() {
		s, err := j.stored(k, v)
		if err != nil {
			return err
		}
		p, err := pair(s)
		if err != nil {
			return fmt.Errorf("decoding the record at offset %d of the other stream: %w", s.off, err)
		}
		emit(joinOutput[K, L, R]{paired: true, pair: p})
	}
	return it.Err()
}

// recordKey returns the state key of a record of side at time t and
// offset off.
func (j *StreamJoin[K, L, R]) recordKey(side byte, k K, t, off int64) ([]byte, error) {
	b, err := j.keys.at(side, k, t)
	if err != nil {
		return nil, err
	}
	return binary.BigEndian.AppendUint64(b, uint64(off)), nil
}

// stored decodes a record's state key k and value v.
func (j *StreamJoin[K, L, R]) stored(k, v []byte) (stored, error) {
	if len(k) < 1+offLen {
		return stored{}, fmt.Errorf("state key %q is not a record's", k)
	}
	_, t, err := j.keys.decode(k[:len(k)-offLen])
	if err != nil {
		return stored{}, err
	}
	off := int64(binary.BigEndian.Uint64(k[len(k)-offLen:]))
	return stored{t: t, off: off, value: v}, nil
}

// expire deletes the records of partition p that expire by stream time
// now, and their index entries, at most joinScanMax of them at once (the rest
// go with the next record).
func (j *StreamJoin[K, L, R]) expire(p int32, now int64, emit func(joinOutput[K, L, R])) error {
	it, err := j.table.iter(p)
	if err != nil {
		return err
	}
	it = it.Range(indexStart, indexTo(now))
	var dues [][]byte
	for x := range it.Keys() {
		if len(dues) == joinScanMax {
			break
		}
		dues = append(dues, x)
	}
	if err := it.Err(); err != nil {
		return err
	}
	for _, x := range dues {
		if len(x) < 1+timeLen+1 {
			return fmt.Errorf("state key %q is not an index key", x)
		}
		emit(joinOutput[K, L, R]{write: write{p: p, key: x[1+timeLen:], del: true}})
		emit(joinOutput[K, L, R]{write: write{p: p, key: x, del: true}})
	}
	return nil
}

// expiryKey returns the index key of record key k, which expires at at.
func expiryKey(k []byte, at int64) []byte {
	t, _ := times.Encode(time.Unix(0, at))
	return append(append([]byte{tagIndex}, t...), k...)
}
