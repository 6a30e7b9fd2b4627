package state

import (
	"context"
	"fmt"

	"github.com/slipstream-go/slipstream/kafka"
)

// A Change is a write to a [Table]: a key set to a value, or deleted, in
// the shard of one partition (that of the message it is made from).
type Change[K, V any] struct {
	Partition int32
	Key       K
	Value     V
	Delete    bool
}

// Put returns the change that sets k to v in partition p's shard.
func Put[K, V any](p int32, k K, v V) Change[K, V] {
	return Change[K, V]{Partition: p, Key: k, Value: v}
}

// Delete returns the change that deletes k from partition p's shard.
func Delete[K, V any](p int32, k K) Change[K, V] {
	return Change[K, V]{Partition: p, Key: k, Delete: true}
}

// SendAsync applies c to its shard at once and sends it to the changelog;
// done runs once the broker has it (see [streamio.AsyncSink]). It fails,
// applying nothing, if the table does not hold c's partition (the error
// wraps [ErrNotHeld]) or c cannot be encoded.
func (t *Table[K, V]) SendAsync(ctx context.Context, c Change[K, V], done func(error)) error {
	m, err := t.record(c)
	if err != nil {
		return err
	}
	t.mu.RLock() // the shard stays open until the write is done
	s := t.shards[c.Partition]
	if s == nil {
		t.mu.RUnlock()
		_, err := t.shard(c.Partition)
		return err
	}
	if c.Delete {
		err = s.data.Delete(m.Key)
	} else {
		err = s.data.Put(m.Key, m.Value[1:])
	}
	t.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("state: table %s: partition %d: %w", t.name, c.Partition, err)
	}
	return t.changelog.SendAsync(ctx, m, done)
}

// Send is [Table.SendAsync], waiting for the broker to have c.
func (t *Table[K, V]) Send(ctx context.Context, c Change[K, V]) error {
	delivered := make(chan error, 1)
	if err := t.SendAsync(ctx, c, func(err error) { delivered <- err }); err != nil {
		return err
	}
	select {
	case err := <-delivered:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// record returns the changelog record of c. Its key may be a view of c's
// (see zerocopy.Encoder): it is for the shard and the producer, which copy
// it.
func (t *Table[K, V]) record(c Change[K, V]) (kafka.Message[[]byte, []byte], error) {
	k, err := t.viewKey(c.Key)
	if err != nil {
		return kafka.Message[[]byte, []byte]{}, fmt.Errorf("state: table %s: encoding key: %w", t.name, err)
	}
	if len(k) == 0 {
		return kafka.Message[[]byte, []byte]{}, fmt.Errorf("state: table %s: key %v encodes to no bytes, which a compacted changelog cannot hold", t.name, c.Key)
	}
	m := kafka.Message[[]byte, []byte]{Key: k, Partition: c.Partition}
	if !c.Delete {
		v, err := t.viewValue(c.Value)
		if err != nil {
			return m, fmt.Errorf("state: table %s: encoding value: %w", t.name, err)
		}
		m.Value = append(append(make([]byte, 0, 1+len(v)), putTag), v...)
	}
	return m, nil
}
