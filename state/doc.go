// Package state is state that follows its partitions: a [Table] holds a
// keyed state sharded as its input topic is, one RocksDB shard per
// partition, and writes every change to a compacted changelog topic as
// well. When the input's consumer group gives a partition to this
// instance, the table brings the partition's shard up to date from its
// changelog partition before any message of the partition is handled;
// when the partition leaves, the shard stops being served. So a team can
// run several instances of an app, replace one, or move a partition, and
// the state moves with the partition through Kafka itself.
//
// # Reading and writing
//
// A handler reads the table for the partition of the message it handles
// ([Table.Get], [Table.Iter]) and writes to it by emitting [Change]s to the
// table, bound as a sink ([Put], [Delete]):
//
//	counts, err := state.New(ctx, "counts", input, codec.StringKey(), codec.Int[int](), nil)
//	stream.Handle(app, input, stream.FuncErr(func(ctx context.Context, m kafka.Message[string, string]) (state.Change[string, int], error) {
//		n, err := counts.Get(m.Partition, m.Key)
//		if err != nil {
//			return state.Change[string, int]{}, err
//		}
//		return state.Put(m.Partition, m.Key, n.OrEmpty()+1), nil
//	}), counts)
//
// A change is applied to the shard at once, so the next message reads it,
// and sent to the changelog; like any output of a message to a Kafka sink,
// it counts as accepted once the broker has it, and the message's offset is
// committed only then. A partition is handled by one goroutine at a time,
// so a read and the write that follows it need no transaction; that holds
// too for a handler run as several copies (stream.Handler.Parallel),
// each a consumer with partitions of its own, all sharing one table.
//
// # Guarantees
//
// At least once: after a crash, the messages since the last commit are
// handled again, so a change may be applied twice (a count may over-count),
// never lost. A shard records how far it has read its changelog when its
// partition leaves cleanly and when the table closes; after a crash it
// reads the changelog again from the last such record, which is safe since
// each change sets a key (or deletes it) whatever came before. A shard on
// a fresh disk reads its whole changelog partition.
//
// Exactly-once: when the input topic is in a kafka.ExactlyOnce group, so is
// the changelog, and a change commits with the offset of the message it
// comes from, in one transaction; a restart after a crash applies each
// message once. The rule for the local shards: a shard may hold only what
// its changelog committed. A shard records how far it has read its
// changelog only when it is released cleanly, after a commit; the record
// is deleted once the shard is restored, before it takes changes. A shard
// found without the record (a crash, or an app that failed and aborted its
// transaction) may hold changes that never committed: it is wiped and
// restored from the start of its changelog partition, reading only
// committed records. So a restart after a clean stop reads nothing, and
// one after a crash reads the whole changelog partition (as Kafka
// Streams does under exactly-once).
//
// A shard writes without RocksDB's write-ahead log: its changelog is its
// log. A crash of the process may lose the changes a shard had not yet
// flushed to its files; the restore from the changelog brings them back
// (from the last record of how far it read, or, under exactly-once, from
// the start).
//
// The changelog is named "<group.id>-<table>-changelog", made when missing
// with the input's partition count and cleanup.policy=compact; [New] fails
// if an existing one has another partition count (the two must be
// co-partitioned). A read or write for a partition this instance does not
// hold fails with [ErrNotHeld].
package state
