package kafka

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// An Offset is where a [Topic] starts reading (see [WithOffset]) or where
// [Topic.Seek] moves it to: [Beginning], [End], one offset for every
// partition ([At]) or one per partition ([PerPartition]).
//
// The zero Offset, [Committed], resumes from the consumer group's committed
// offsets, and where the group has none, from the position that the
// auto.offset.reset property names ("latest" unless set).
type Offset struct {
	kind  offsetKind
	at    int64
	parts map[int32]int64
}

type offsetKind uint8

const (
	offsetCommitted offsetKind = iota
	offsetBeginning
	offsetEnd
	offsetAt
	offsetPartitions
)

var (
	// Committed resumes from the group's committed offsets: the default.
	Committed = Offset{}
	// Beginning is the oldest message still in each partition.
	Beginning = Offset{kind: offsetBeginning}
	// End is just after the newest message of each partition: only
	// messages produced from then on are read.
	End = Offset{kind: offsetEnd}
)

// At returns the offset off in every partition. It must not be negative.
func At(off int64) Offset { return Offset{kind: offsetAt, at: off} }

// PerPartition returns an offset for each partition in offsets, keyed by
// partition number. Partitions that are not in the map start from the
// committed offsets (or, for [Topic.Seek], stay where they are). Offsets
// must not be negative.
func PerPartition(offsets map[int32]int64) Offset {
	return Offset{kind: offsetPartitions, parts: maps.Clone(offsets)}
}

// String describes o: "committed", "beginning", "end", "at 42" or
// "map[0:10 1:12]".
func (o Offset) String() string {
	switch o.kind {
	case offsetBeginning:
		return "beginning"
	case offsetEnd:
		return "end"
	case offsetAt:
		return fmt.Sprintf("at %d", o.at)
	case offsetPartitions:
		var b strings.Builder
		b.WriteString("map[")
		for i, p := range slices.Sorted(maps.Keys(o.parts)) {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%d:%d", p, o.parts[p])
		}
		b.WriteByte(']')
		return b.String()
	default:
		return "committed"
	}
}

// check reports an offset that can never be valid.
func (o Offset) check() error {
	switch o.kind {
	case offsetAt:
		if o.at < 0 {
			return fmt.Errorf("invalid offset %d: offsets are not negative", o.at)
		}
	case offsetPartitions:
		if len(o.parts) == 0 {
			return errors.New("invalid offset: PerPartition with no partitions")
		}
		for _, p := range slices.Sorted(maps.Keys(o.parts)) {
			if p < 0 {
				return fmt.Errorf("invalid offset: partition %d: partitions are not negative", p)
			}
			if off := o.parts[p]; off < 0 {
				return fmt.Errorf("invalid offset %d for partition %d: offsets are not negative", off, p)
			}
		}
	}
	return nil
}

// forPartition returns the librdkafka offset o puts partition p at, and
// whether o says anything about p.
func (o Offset) forPartition(p int32) (ckafka.Offset, bool) {
	switch o.kind {
	case offsetBeginning:
		return ckafka.OffsetBeginning, true
	case offsetEnd:
		return ckafka.OffsetEnd, true
	case offsetAt:
		return ckafka.Offset(o.at), true
	case offsetPartitions:
		off, ok := o.parts[p]
		return ckafka.Offset(off), ok
	}
	return ckafka.OffsetStored, false
}
