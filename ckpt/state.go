package ckpt

import (
	"maps"
	"strconv"
)

// State is where the dependent is, to reprocess from: typically the offset
// of the item just handled, by partition, as [PartitionOffset] makes it.
// Each [Checkpoint.CheckPulse] merges its State into the dependent's, key by
// key; string keys let one State hold other counters too. A recovery
// callback seeks the dependent back with a dependency's State:
//
//	err := activity.Seek(ctx, kafka.PerPartition(d.DownState().Offsets()))
type State map[string]int64

// PartitionOffset returns the State that records offset for partition:
// {"3": 42} for partition 3 and offset 42.
//
//	downtime, down, err := c.CheckPulse(ctx, at, ckpt.PartitionOffset(msg.Partition, msg.Offset))
func PartitionOffset(partition int32, offset int64) State {
	return State{strconv.FormatInt(int64(partition), 10): offset}
}

// Offsets returns the entries of s whose keys are partition numbers, as
// [PartitionOffset] writes them, keyed by partition: what
// kafka.PerPartition takes to seek a topic back. Other keys are left out.
func (s State) Offsets() map[int32]int64 {
	offsets := make(map[int32]int64, len(s))
	for k, v := range s {
		if p, err := strconv.ParseInt(k, 10, 32); err == nil && p >= 0 {
			offsets[int32(p)] = v
		}
	}
	return offsets
}

// Clone returns a copy of s; the copy of a nil State is nil.
func (s State) Clone() State { return maps.Clone(s) }
