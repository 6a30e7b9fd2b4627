package state

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/kv/store"
)

// A shard is the state of one partition: a RocksDB database whose default
// family holds the table's keys and values, and whose meta family holds
// how far the shard has read its changelog partition.
type shard[K, V any] struct {
	p     int32
	data  store.Store
	meta  store.Store
	cache *kv.Cache[K, V] // typed reads of data
}

// metaFamily is the column family of a shard's own records; nextKey's
// value there is the changelog offset the shard reads from next, as eight
// big-endian bytes.
const metaFamily = "slipstream.changelog"

var nextKey = []byte("next")

// restoreBatch is how many changelog records a restore writes at once.
const restoreBatch = 1000

// A changelog record's value is putTag and the encoded value, or nil (a
// tombstone) for a delete: an encoded value may be empty, and an empty
// value is not a tombstone.
const putTag = 1

// restoreConcurrency is how many partitions an assignment restores at
// once, each with a reader of its own: one after another, their fetches
// and their readers' fixed costs (about 0.1 s to make and close one) add
// up, and a restore of 4 partitions took 1.5 times as long.
const restoreConcurrency = 4

// Assigned brings the shards of partitions ps up to date from the
// changelog, up to restoreConcurrency at once, and serves each from then
// on; it implements [kafka.PartitionListener].
func (t *Table[K, V]) Assigned(ctx context.Context, ps []int32) error {
	errs := make([]error, len(ps))
	slots := make(chan struct{}, restoreConcurrency)
	var wg sync.WaitGroup
	for i, p := range ps {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			errs[i] = t.assign(ctx, p)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// assign brings the shard of partition p up to date and serves it, unless
// it is held already.
func (t *Table[K, V]) assign(ctx context.Context, p int32) error {
	if _, err := t.shard(p); err == nil {
		return nil // held already
	}
	start := time.Now()
	t.restoring.Add(1)
	defer t.restoring.Add(-1)
	s, err := t.open(p)
	if err != nil {
		return err
	}
	if t.exactlyOnce() {
		if s, err = t.committedOnly(s); err != nil {
			return err
		}
	}
	from, _ := s.next()
	records, err := t.restore(ctx, s)
	to, _ := s.next()
	if err == nil && t.exactlyOnce() {
		err = s.meta.Delete(nextKey) // until the shard is released cleanly
	}
	if err != nil {
		return errors.Join(err, s.data.Close())
	}
	t.mu.Lock()
	closed := t.closed
	if !closed {
		t.shards[p] = s
	}
	t.mu.Unlock()
	if closed {
		return errors.Join(fmt.Errorf("state: table %s: closed", t.name), s.data.Close())
	}
	t.logger.Info("state: partition restored", "partition", p, "from", from, "to", to, "records", records, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Revoked stops serving the shards of partitions ps and releases them; it
// implements [kafka.PartitionListener].
func (t *Table[K, V]) Revoked(ps []int32) {
	for _, p := range ps {
		t.mu.Lock()
		s := t.shards[p]
		delete(t.shards, p)
		t.mu.Unlock()
		if s == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := t.release(ctx, s, true); err != nil {
			t.logger.Warn("state: releasing partition", "partition", p, "err", err)
		}
		cancel()
	}
}

// open opens the shard of partition p.
func (t *Table[K, V]) open(p int32) (*shard[K, V], error) {
	// The changelog is the shard's log: RocksDB's own write-ahead log
	// would only slow each change (see store.RocksOptions.NoWAL). A shard
	// a crash left behind is brought back by its changelog (see restore
	// and committedOnly).
	data, err := store.OpenRocks(t.path(p), &store.RocksOptions{Compaction: store.Level, NoWAL: true})
	if err != nil {
		return nil, fmt.Errorf("state: table %s: partition %d: %w", t.name, p, err)
	}
	meta, err := data.Family(metaFamily)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("state: table %s: partition %d: %w", t.name, p, err), data.Close())
	}
	return &shard[K, V]{p: p, data: data, meta: meta, cache: kv.New(data, t.keys, t.values)}, nil
}

// path returns the directory of partition p's shard.
func (t *Table[K, V]) path(p int32) string { return filepath.Join(t.dir, strconv.Itoa(int(p))) }

// restore applies the changelog records of s's partition from where s
// last read to the partition's end, recording how far it read with each
// batch of records it writes; it returns how many records it read.
func (t *Table[K, V]) restore(ctx context.Context, s *shard[K, V]) (records int64, err error) {
	from, err := s.next()
	if err != nil {
		return 0, err
	}
	var wb store.WriteBatch
	commit := func(next int64) error {
		wb.Put(s.meta, nextKey, binary.BigEndian.AppendUint64(nil, uint64(next)))
		err := s.data.Write(&wb)
		wb.Reset()
		return err
	}
	next, err := t.changelog.ReadPartition(ctx, s.p, from, func(m kafka.Message[[]byte, []byte]) error {
		switch {
		case m.Value == nil:
			wb.Delete(s.data, m.Key)
		case m.Value[0] == putTag:
			wb.Put(s.data, m.Key, m.Value[1:])
		default:
			return fmt.Errorf("state: table %s: changelog %s partition %d offset %d: not a record of a table", t.name, t.changelog.Name(), m.Partition, m.Offset)
		}
		t.restored.Add(1)
		records++
		if wb.Len() >= restoreBatch {
			return commit(m.Offset + 1)
		}
		return nil
	})
	if err != nil {
		return records, fmt.Errorf("state: table %s: restoring partition %d: %w", t.name, s.p, err)
	}
	return records, commit(next)
}

// next returns the changelog offset s reads from next.
func (s *shard[K, V]) next() (int64, error) {
	b, ok, err := s.meta.Get(nextKey)
	if err != nil || !ok {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("state: partition %d: a changelog offset of %d bytes, want 8", s.p, len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// exactlyOnce reports whether the table's changes commit in Kafka
// transactions (its input, and so its changelog, is in a
// kafka.ExactlyOnce group).
func (t *Table[K, V]) exactlyOnce() bool { return t.changelog.ExactlyOnce() != nil }

// committedOnly makes s hold only what its changelog committed, under
// exactly-once: a shard whose record of how far it read is missing may
// hold changes of a transaction that never committed (the process
// crashed, or the app failed, before the commit), so it is wiped and
// restored from the start of its changelog partition. A shard that has
// the record keeps it only until its first change: assign deletes it once
// the shard is restored, and release writes it again only when the shard
// is released cleanly.
func (t *Table[K, V]) committedOnly(s *shard[K, V]) (*shard[K, V], error) {
	_, ok, err := s.meta.Get(nextKey)
	if err != nil {
		return nil, errors.Join(err, s.data.Close())
	}
	if ok {
		return s, nil
	}
	if err := s.data.Close(); err != nil {
		return nil, err
	}
	path := t.path(s.p)
	if err := os.RemoveAll(path); err != nil {
		return nil, fmt.Errorf("state: table %s: partition %d: wiping a shard that may hold uncommitted changes: %w", t.name, s.p, err)
	}
	t.logger.Info("state: shard wiped: it may hold changes that were not committed", "partition", s.p)
	return t.open(s.p)
}

// release records that s has applied its changelog partition to its
// current end, flushes it and closes it; under exactly-once, it records
// nothing unless the transaction holding s's last changes committed (see
// committedOnly), that is unless clean is set. Every record there is one that
// this instance wrote, and applied, since s was restored; records still on
// their way land after that end, and are read again, harmlessly, by the
// next restore.
func (t *Table[K, V]) release(ctx context.Context, s *shard[K, V], clean bool) error {
	if t.exactlyOnce() && (!clean || t.changelog.ExactlyOnce().Err() != nil) {
		return errors.Join(s.data.Flush(), s.data.Close())
	}
	_, high, err := t.changelog.Watermarks(ctx, s.p)
	if err == nil {
		err = s.meta.Put(nextKey, binary.BigEndian.AppendUint64(nil, uint64(high)))
	}
	if err == nil {
		err = s.data.Flush()
	}
	return errors.Join(err, s.data.Close())
}
