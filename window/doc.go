// Package window aggregates a keyed stream in event-time windows, with a
// grace period for records that arrive out of order, and joins streams.
//
// # Windows
//
// A record belongs to windows by its event time (a Kafka message's
// timestamp by default, see [Messages], or any function of the record,
// see [Input]):
//
//   - [Tumbling](size): [start, start+size), one after another; start
//     included, end excluded.
//   - [Hopping](size, advance): [start, start+size), one every advance;
//     start included, end excluded.
//   - [Sliding](size): one window ending at each record, [end-size, end],
//     both ends included (as in the original's cookbook: a record exactly
//     size before the end is in).
//   - [Session](gap): the records of a key within gap of each other, from
//     the first's time to the last's, both included. A record within gap
//     of two sessions merges them.
//
// An [Aggregate] folds a window's records into an accumulator of any type,
// with a codec for it in the state:
//
//	counts, err := window.New(window.Tumbling(time.Minute).WithGrace(10*time.Second),
//		window.Messages[string, string](codec.StringKey()),
//		window.Count[kafka.Message[string, string]](), table, nil)
//	window.Handle(app, clicks, counts, sink.Print[window.Result[string, int64]]())
//
// and each [Result] carries the key, the window's start and end, and the
// accumulator.
//
// # Stream time, grace and late records
//
// Stream time is kept per partition: the largest event time seen so far.
// It moves with records only, never with the wall clock. A window closes
// once stream time has passed its end by more than its grace period
// ([Windows.WithGrace]): a tumbling window [0s, 60s) with 10 s of grace
// takes records until stream time reaches 70 s. Until then records that
// come out of order still count. A record for a window that has closed is
// late: it is counted ([Operator.Late]), logged (at Debug, and at Info
// at most every 10 s with the count since), and sent to the late sink
// if [Options].Late is set; it still counts in those of its windows that
// are open (a later hopping window). Nothing is dropped without a count.
//
// An operator sends a window's result after every record that changes it
// ([EmitUpdates]), or once, when it closes ([EmitFinal]). Closed windows
// are deleted from the state, so the state holds the open windows only.
//
// # Joins
//
// [JoinTable] joins each message of a stream with a table's current value
// for its key: a stream–table join, a left join.
//
// [JoinStreams] joins two streams: it pairs the messages of two topics
// that have the same key and event times at most [JoinWindows].Within
// apart, both ends included, whichever comes first (Kafka Streams'
// JoinWindows, before and after alike), and [HandleJoin] sends each
// [Pair] to its sinks. It is an inner join: a message that pairs with
// nothing sends nothing; left and outer joins are not offered. The two
// topics must be co-partitioned, as for JoinTable. Each side's messages
// wait in a [Table] on the left topic. Stream time is kept per partition,
// the largest event time of both topics' messages; a message more than
// JoinWindows.Grace behind it is late: counted ([StreamJoin.Late]),
// logged as an operator's are, neither kept nor paired. A kept message is deleted once stream
// time has passed it by Within plus Grace, when no message that is not
// late can pair with it any more. So every two messages within Within of
// each other pair, unless one of them is late (and, as any output, once
// more if a crash has the later one handled again). (Kafka
// Streams takes a record up to Within plus Grace behind stream time, and
// keeps records for twice Within plus Grace.)
//
// # State
//
// An operator keeps its windows in a [State]: a [Table] for a Kafka
// topic, partitioned as the topic is and restored from its changelog when a
// partition comes to this instance (see package state), or a kv.Cache for
// a local stream ([InCache]). Its writes are outputs of the record they
// come from, like its results: a message's offset is committed only once
// the table's changelog has them, so a crash loses nothing (at least once:
// records since the last commit are aggregated again, and a count may
// over-count). Stream time is stored in the state too, so it survives
// restarts and moves with its partition. When the input topic is in a
// kafka.ExactlyOnce group, the table's changes commit in one transaction
// with the input's offsets and the results sent to topics of the group:
// after a crash the state is what committed, and each final result is
// exact and sent once. A [StreamJoin]'s state is a Table too, with the
// same guarantees.
//
// Keys in the state are [codec.PairKey] of the record key and the window
// start, behind a tag byte, so that a key's windows lie together in time
// order; an index keyed by when each window closes makes expiry a read of
// the index's first keys.
package window
