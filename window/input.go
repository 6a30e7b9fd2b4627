package window

import (
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
)

// An Input says how the operator reads the records of a stream of T: each
// record's key, event time and partition, and how keys are encoded in the
// window's state.
type Input[T, K any] struct {
	// Key returns a record's key: windows are per key.
	Key func(T) K
	// Keys encodes keys in the window's state.
	Keys codec.Codec[K]
	// Time returns a record's event time.
	Time func(T) time.Time
	// Partition returns the partition a record came from: stream time is
	// kept per partition. Nil means one partition, as for a local stream.
	Partition func(T) int32
}

// Messages returns the Input of a Kafka topic's messages: each message's
// key, encoded with keys, its timestamp as its event time, and its
// partition. Set Time on the result to take event time from the value
// instead.
func Messages[K, V any](keys codec.Codec[K]) Input[kafka.Message[K, V], K] {
	return Input[kafka.Message[K, V], K]{
		Key:       func(m kafka.Message[K, V]) K { return m.Key },
		Keys:      keys,
		Time:      func(m kafka.Message[K, V]) time.Time { return m.Timestamp },
		Partition: func(m kafka.Message[K, V]) int32 { return m.Partition },
	}
}
