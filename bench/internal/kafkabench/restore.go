package kafkabench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/linxGnu/grocksdb"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/kv/store"
	"github.com/slipstream-go/slipstream/state"
)

// What package state writes, and the raw side of Restore writes alike: a
// changelog record's value is putTag and the encoded value; a shard's meta
// family holds, under nextKey, the changelog offset it reads from next.
const (
	putTag     = 1
	metaFamily = "slipstream.changelog"
	nextKey    = "next"
)

// shardOptions are the options of a table's shard; the raw sides write
// without the write-ahead log too (see noWAL).
var shardOptions = store.RocksOptions{Compaction: store.Level, NoWAL: true}

// noWAL returns write options without the write-ahead log, as a shard's.
func noWAL() *grocksdb.WriteOptions {
	wo := grocksdb.NewDefaultWriteOptions()
	wo.DisableWAL(true)
	return wo
}

// allPartitions lists the partitions of every topic.
var allPartitions = func() []int32 {
	ps := make([]int32, Partitions)
	for i := range ps {
		ps[i] = int32(i)
	}
	return ps
}()

// restoreLog returns the changelog of n records that the Restore runs of
// n records read, filling it on first use: a counter's, keyOf(i) set to
// its count so far.
func restoreLog(b broker, n int) (string, error) {
	name := fmt.Sprintf("restore-changelog-%d", n)
	err := fillTopic(b, name, n, func(ctx context.Context, from, n int) error {
		if from > 0 {
			return fmt.Errorf("kafkabench: %s holds %d records already", name, from)
		}
		if err := b.createTopic(name, Partitions); err != nil {
			return err
		}
		counts := make(map[string]int64, CounterKeys)
		enc := codec.Int[int64]()
		return produceRecords(ctx, b, name, 0, n, func(i int) record {
			k := keyOf(i)
			counts[k]++
			v, _ := enc.Encode(counts[k])
			return record{key: k, value: append([]byte{putTag}, v...)}
		})
	})
	return name, err
}

// prepareRestoreSlipstream makes a table on a fresh directory whose
// changelog is the one of n records; the run assigns it every partition,
// which restores them, and closes it. The check reads the shards.
func prepareRestoreSlipstream(b broker, n int) (*run, error) {
	log, err := restoreLog(b, n)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kafkabench-restore-")
	if err != nil {
		return nil, err
	}
	// The table's input: only its partition count matters, nothing reads it.
	input, err := kafka.NewTopic[string, []byte](inTopic, consumerConf(b))
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	table, err := state.New(ctx, "restore", input, codec.StringKey(), codec.Int[int64](), &state.Options{Dir: dir, Changelog: log, Logger: quiet})
	if err != nil {
		return nil, errors.Join(err, input.Close(ctx), os.RemoveAll(dir))
	}
	return &run{
		start: func(ctx context.Context, m *marks) error {
			m.begin()
			err := table.Assigned(ctx, allPartitions)
			m.end()
			return errors.Join(err, table.Close(ctx), input.Close(ctx))
		},
		check: func() error {
			err := checkShards(filepath.Join(dir, "restore"), n, table.Restored())
			return errors.Join(err, os.RemoveAll(dir))
		},
	}, nil
}

// prepareRestoreRaw is the raw form: the run opens a database per
// partition, with the options of a table's shard, and reads every
// partition of the changelog of n records with one consumer (readAll),
// writing each partition's records to its database in batches of
// restoreBatch with the offset read next, as a shard records it.
func prepareRestoreRaw(b broker, n int) (*run, error) {
	log, err := restoreLog(b, n)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kafkabench-restore-")
	if err != nil {
		return nil, err
	}
	restored := int64(0)
	return &run{
		start: func(ctx context.Context, m *marks) error {
			m.begin()
			shards := make([]*rawShard, Partitions)
			defer func() {
				for _, s := range shards {
					if s != nil {
						s.close()
					}
				}
			}()
			for p := range shards {
				s, err := openRawShard(filepath.Join(dir, strconv.Itoa(p)))
				if err != nil {
					return err
				}
				shards[p] = s
			}
			ends, err := readAll(ctx, b, log, func(msg *ckafka.Message) error {
				s := shards[msg.TopicPartition.Partition]
				switch {
				case msg.Value == nil:
					s.wb.DeleteCF(s.data, msg.Key)
				case msg.Value[0] == putTag:
					s.wb.PutCF(s.data, msg.Key, msg.Value[1:])
				default:
					return fmt.Errorf("kafkabench: %s/%d at %d: not a record of a table", log, msg.TopicPartition.Partition, msg.TopicPartition.Offset)
				}
				restored++
				if s.wb.Count() >= restoreBatch {
					return s.commit(int64(msg.TopicPartition.Offset) + 1)
				}
				return nil
			})
			if err != nil {
				return err
			}
			for p, s := range shards {
				if err := s.commit(ends[p]); err != nil {
					return err
				}
			}
			m.end()
			return nil
		},
		check: func() error {
			err := checkShards(dir, n, restored)
			return errors.Join(err, os.RemoveAll(dir))
		},
	}, nil
}

// A rawShard is a database of the raw side of Restore: a partition's
// records in the default family, the offset read next in the meta family.
type rawShard struct {
	db         *grocksdb.DB
	data, meta *grocksdb.ColumnFamilyHandle
	wo         *grocksdb.WriteOptions
	wb         *grocksdb.WriteBatch
}

// openRawShard opens the database at path, with a table shard's options.
func openRawShard(path string) (*rawShard, error) {
	opts, err := shardOptions.Grocksdb()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	opts.SetCreateIfMissingColumnFamilies(true)
	db, fams, err := grocksdb.OpenDbColumnFamilies(opts, path, []string{"default", metaFamily}, []*grocksdb.Options{opts, opts})
	if err != nil {
		return nil, err
	}
	return &rawShard{db: db, data: fams[0], meta: fams[1], wo: noWAL(), wb: grocksdb.NewWriteBatch()}, nil
}

// commit writes the batch, with next as the offset read next.
func (s *rawShard) commit(next int64) error {
	s.wb.PutCF(s.meta, []byte(nextKey), binary.BigEndian.AppendUint64(nil, uint64(next)))
	err := s.db.Write(s.wo, s.wb)
	s.wb.Clear()
	return err
}

func (s *rawShard) close() {
	s.wb.Destroy()
	s.wo.Destroy()
	s.data.Destroy()
	s.meta.Destroy()
	s.db.Close()
}

// checkShards is the check of a Restore run of n records: restored says
// n, and the databases dir/0, dir/1… hold each key of their partition set
// to its count in the changelog, and the changelog's end as the offset to
// read next.
func checkShards(dir string, n int, restored int64) error {
	if restored != int64(n) {
		return fmt.Errorf("kafkabench: restored %d records, want %d", restored, n)
	}
	want := make([]map[string]int64, Partitions)
	ends := make([]int64, Partitions)
	for p := range want {
		want[p] = map[string]int64{}
	}
	for i := range n {
		k := keyOf(i)
		p := keyPartition(k)
		want[p][k]++
		ends[p]++
	}
	for p := range want {
		if err := checkShard(filepath.Join(dir, strconv.Itoa(p)), want[p], ends[p]); err != nil {
			return fmt.Errorf("kafkabench: partition %d: %w", p, err)
		}
	}
	return nil
}

func checkShard(path string, want map[string]int64, end int64) error {
	data, err := store.OpenRocks(path, &shardOptions)
	if err != nil {
		return err
	}
	defer data.Close()
	meta, err := data.Family(metaFamily)
	if err != nil {
		return err
	}
	next, _, err := meta.Get([]byte(nextKey))
	if err != nil || len(next) != 8 || int64(binary.BigEndian.Uint64(next)) != end {
		return errors.Join(err, fmt.Errorf("next offset %x, want %d", next, end))
	}
	it := kv.New(data, codec.StringKey(), codec.Int[int64]()).Iter()
	got := maps.Collect(it.Items())
	if err := it.Err(); err != nil {
		return err
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d keys, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			return fmt.Errorf("key %s: %d, want %d", k, got[k], v)
		}
	}
	return nil
}
