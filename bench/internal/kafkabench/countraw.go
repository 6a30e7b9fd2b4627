package kafkabench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/linxGnu/grocksdb"
)

// storeEvery is how many messages the raw side of Count handles between
// two stores of the offsets whose changes are acknowledged.
const storeEvery = 256

// prepareCountRaw is the raw form of Count: a consumer in a group of its
// own with a database per partition (a table shard's options) and a
// producer to a changelog made beforehand. The run reads each message's
// count from its partition's database, writes the count plus one there
// and to the changelog, in the message's partition, and stores the
// message's offset for commit once the changelog has the change
// (at-least-once); the timed part goes from the first message handled to
// the n-th change acknowledged.
func prepareCountRaw(b broker, n int) (*run, error) {
	if err := fillCount(b, n); err != nil {
		return nil, err
	}
	changelog, err := newTopic(b, "count-raw-changelog")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kafkabench-count-")
	if err != nil {
		return nil, errors.Join(err, b.deleteTopic(changelog))
	}
	cc := consumerConf(b)
	return &run{
		start: func(ctx context.Context, m *marks) error { return countRaw(ctx, b, cc, changelog, dir, n, m) },
		check: func() error {
			return errors.Join(checkCounts(b, changelog, n, bigEndian), os.RemoveAll(dir))
		},
	}, nil
}

// countRaw is the raw side's program.
func countRaw(ctx context.Context, b broker, cc map[string]any, changelog, dir string, n int, m *marks) (err error) {
	// Databases first, as a table opens its shards before the first message.
	opts, err := shardOptions.Grocksdb()
	if err != nil {
		return err
	}
	defer opts.Destroy()
	dbs := make([]*grocksdb.DB, Partitions)
	defer func() {
		for _, db := range dbs {
			if db != nil {
				db.Close()
			}
		}
	}()
	for p := range dbs {
		if dbs[p], err = grocksdb.OpenDb(opts, filepath.Join(dir, strconv.Itoa(p))); err != nil {
			return err
		}
	}
	ro, wo := grocksdb.NewDefaultReadOptions(), noWAL()
	defer ro.Destroy()
	defer wo.Destroy()

	pm, stopProducerLogs := rawConf(conf(b), producerSettings)
	defer stopProducerLogs()
	producer, err := ckafka.NewProducer(pm)
	if err != nil {
		return err
	}
	defer producer.Close()

	// Delivery reports: per partition, they come in the order of the
	// changes, so a count of them says which input offsets are safe.
	var (
		delivered [Partitions]atomic.Int64
		failed    atomic.Pointer[error]
		done      = make(chan struct{})
		room      = make(chan struct{}, 1)
	)
	acked := countsTo(n, &failed, func() {
		m.end()
		close(done)
	})
	go func() {
		for ev := range producer.Events() {
			msg, ok := ev.(*ckafka.Message)
			if !ok {
				continue
			}
			if msg.TopicPartition.Error == nil {
				delivered[msg.TopicPartition.Partition].Add(1)
			}
			acked(msg.TopicPartition.Error)
			select {
			case room <- struct{}{}:
			default:
			}
		}
	}()

	extra := consumerSettings()
	extra["enable.auto.offset.store"] = false
	cm, stopConsumerLogs := rawConf(cc, extra)
	defer stopConsumerLogs()
	consumer, err := ckafka.NewConsumer(cm)
	if err != nil {
		return err
	}
	topic := countTopic
	if err := consumer.Subscribe(topic, nil); err != nil {
		return err
	}
	var (
		sent   [Partitions][]ckafka.Offset // input offsets of the changes sent, by partition
		stored [Partitions]int             // how many of them are stored
	)
	store := func() error {
		for p := range sent {
			if d := int(delivered[p].Load()); d > stored[p] {
				tp := ckafka.TopicPartition{Topic: &topic, Partition: int32(p), Offset: sent[p][d-1] + 1}
				if _, err := consumer.StoreOffsets([]ckafka.TopicPartition{tp}); err != nil {
					return err
				}
				stored[p] = d
			}
		}
		return nil
	}
	// At the end, every change delivered, the last offsets stored and
	// committed by the consumer's Close.
	defer func() {
		producer.Flush(int(adminTimeout / time.Millisecond))
		if f := failed.Load(); f != nil {
			err = errors.Join(err, *f)
		}
		err = errors.Join(err, store(), consumer.Close())
	}()

	if n == 0 {
		m.begin()
		m.end()
		return nil
	}
	var value [8]byte
	for handled := 0; ; {
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if failed.Load() != nil {
			return nil // and the deferred function returns the error
		}
		switch e := consumer.Poll(100).(type) {
		case *ckafka.Message:
			if e.TopicPartition.Error != nil {
				return e.TopicPartition.Error
			}
			if handled++; handled == 1 {
				m.begin()
			}
			p := e.TopicPartition.Partition
			db := dbs[p]
			got, err := db.Get(ro, e.Key)
			if err != nil {
				return err
			}
			var count int64
			if got.Exists() {
				count, err = bigEndian(got.Data())
			}
			got.Free()
			if err != nil {
				return fmt.Errorf("kafkabench: key %s: %w", e.Key, err)
			}
			binary.BigEndian.PutUint64(value[:], uint64(count+1))
			if err := db.Put(wo, e.Key, value[:]); err != nil {
				return err
			}
			out := &ckafka.Message{TopicPartition: ckafka.TopicPartition{Topic: &changelog, Partition: p}, Key: e.Key, Value: value[:]}
			if err := produceWaiting(ctx, producer, out, room); err != nil {
				return err
			}
			sent[p] = append(sent[p], e.TopicPartition.Offset)
			if handled%storeEvery == 0 {
				if err := store(); err != nil {
					return err
				}
			}
		case ckafka.Error:
			if e.IsFatal() {
				return e
			}
		}
	}
}

// produceWaiting produces m, waiting for room in the producer's queue
// while it is full.
func produceWaiting(ctx context.Context, p *ckafka.Producer, m *ckafka.Message, room <-chan struct{}) error {
	for {
		err := p.Produce(m, nil)
		var kerr ckafka.Error
		if err == nil || !errors.As(err, &kerr) || kerr.Code() != ckafka.ErrQueueFull {
			return err
		}
		select {
		case <-room:
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
