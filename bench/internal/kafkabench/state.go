package kafkabench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// The comparisons of package state, by Benchmark function: Restore with a
// raw consumer writing to grocksdb, Count with goka and with a raw
// consume → grocksdb → produce loop.
var (
	Restore = Comparison{Name: "Restore", runSize: &restoreSize, sides: []side{
		{"slipstream", prepareRestoreSlipstream}, {"raw", prepareRestoreRaw},
	}}
	Count = Comparison{Name: "Count", sides: []side{
		{"slipstream", prepareCountSlipstream}, {"goka", prepareCountGoka}, {"raw", prepareCountRaw},
		{"partitions-1", countCopies(1)}, {"partitions-2", countCopies(2)}, {"partitions-4", countCopies(4)},
	}}
)

// StateComparisons lists them.
var StateComparisons = []*Comparison{&Restore, &Count}

const (
	// CounterKeys is the number of distinct keys of the state benchmarks'
	// records, each CounterKeySize bytes.
	CounterKeys = 10_000
	// CounterKeySize is the size of a key, in bytes.
	CounterKeySize = 20
	// RestoreRecords is the number of records of the changelog that one
	// Restore run reads, over every partition.
	RestoreRecords = 200_000
	// restoreBatch is how many records a restore writes at once, as
	// package state does.
	restoreBatch = 1000
	// countTopic is the topic Count reads, filled as it needs.
	countTopic = "count"
)

// restoreSize is RestoreRecords, lowered by the package's tests.
var restoreSize = RestoreRecords

// counterKeys are the keys, "counter-key-00000042".
var counterKeys = func() []string {
	keys := make([]string, CounterKeys)
	for i := range keys {
		keys[i] = fmt.Sprintf("counter-key-%08d", i)
	}
	return keys
}()

// keyOf returns the key of record i of a topic of the state benchmarks:
// keys in a fixed pseudo-random order, each about as frequent as the
// others (splitmix64 of i).
func keyOf(i int) string {
	z := uint64(i) + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return counterKeys[z%CounterKeys]
}

// keyPartition returns the partition of key as goka's default producer
// chooses it (sarama's hash partitioner with FNV-1a, goka.DefaultHasher),
// so that goka finds its input co-partitioned with its table. Every
// record of the state benchmarks goes to its key's partition so.
func keyPartition(key string) int32 {
	h := fnv.New32a()
	h.Write([]byte(key))
	p := int32(h.Sum32()) % Partitions
	if p < 0 {
		p = -p
	}
	return p
}

// A record is a keyed message of the state benchmarks.
type record struct {
	key   string
	value []byte
}

// produceRecords sends records from to from+n-1 (made by rec) to topic,
// each to its key's partition, and waits for every delivery report.
func produceRecords(ctx context.Context, b broker, topic string, from, n int, rec func(i int) record) error {
	cm, stopLogs := rawConf(conf(b), producerSettings)
	defer stopLogs()
	p, err := ckafka.NewProducer(cm)
	if err != nil {
		return err
	}
	defer p.Close()
	done := make(chan error, 1)
	go func() {
		var first error
		seen := 0
		for ev := range p.Events() {
			if m, ok := ev.(*ckafka.Message); ok {
				if m.TopicPartition.Error != nil && first == nil {
					first = m.TopicPartition.Error
				}
				if seen++; seen == n {
					done <- first
					return
				}
			}
		}
	}()
	for i := from; i < from+n; i++ {
		r := rec(i)
		m := &ckafka.Message{
			TopicPartition: ckafka.TopicPartition{Topic: &topic, Partition: keyPartition(r.key)},
			Key:            []byte(r.key),
			Value:          r.value,
		}
		for {
			err := p.Produce(m, nil)
			var kerr ckafka.Error
			if err == nil || !errors.As(err, &kerr) || kerr.Code() != ckafka.ErrQueueFull {
				if err != nil {
					return err
				}
				break
			}
			select {
			case <-time.After(10 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if n == 0 {
		return nil
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("kafkabench: waiting for delivery reports: %w", ctx.Err())
	}
}

// readerSettings are the settings of a consumer that reads partitions
// outside any group, as kafka.Topic.ReadPartition makes it.
var readerSettings = ckafka.ConfigMap{
	"group.id":                 "kafkabench-reader", // required by the client; never joined
	"enable.auto.commit":       false,
	"enable.auto.offset.store": false,
	"enable.partition.eof":     true,
	"auto.offset.reset":        "earliest",
	"fetch.wait.max.ms":        10,
}

// readAll reads every partition of topic, from its first offset to its end
// as it is when readAll starts, with one consumer assigned all of them,
// calling fn with each message; it returns each partition's end. It is
// the raw side of Restore, and how the checks read what a run wrote.
func readAll(ctx context.Context, b broker, topic string, fn func(*ckafka.Message) error) (ends []int64, err error) {
	extra := consumerSettings()
	for k, v := range readerSettings {
		extra[k] = v
	}
	cm, stopLogs := rawConf(conf(b), extra)
	defer stopLogs()
	c, err := ckafka.NewConsumer(cm)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ends = make([]int64, Partitions)
	next := make([]int64, Partitions)
	var assign []ckafka.TopicPartition
	for p := range int32(Partitions) {
		low, high, err := c.QueryWatermarkOffsets(topic, p, int(adminTimeout/time.Millisecond))
		if err != nil {
			return nil, fmt.Errorf("kafkabench: offsets of %s/%d: %w", topic, p, err)
		}
		next[p], ends[p] = low, high
		if low < high {
			assign = append(assign, ckafka.TopicPartition{Topic: &topic, Partition: p, Offset: ckafka.Offset(low)})
		}
	}
	if err := c.Assign(assign); err != nil {
		return nil, err
	}
	left := len(assign)
	for left > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var p int32
		var at int64
		switch e := c.Poll(100).(type) {
		case *ckafka.Message:
			if e.TopicPartition.Error != nil {
				return nil, e.TopicPartition.Error
			}
			if err := fn(e); err != nil {
				return nil, err
			}
			p, at = e.TopicPartition.Partition, int64(e.TopicPartition.Offset)+1
		case ckafka.PartitionEOF:
			p, at = e.Partition, min(int64(e.Offset), ends[e.Partition])
		case ckafka.Error:
			if e.IsFatal() {
				return nil, e
			}
			continue
		default:
			continue
		}
		if next[p] < ends[p] && at >= ends[p] {
			left--
		}
		next[p] = max(next[p], at)
	}
	return ends, nil
}

// checkCounts is the check of a Count run: the changelog holds at least
// n records, and each key's records, in their order, count 1, 2, 3…
// (value decodes a record's value), so that every message read its key's
// count and wrote it plus one.
func checkCounts(b broker, changelog string, n int, value func([]byte) (int64, error)) error {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	last := make(map[string]int64, CounterKeys)
	records := 0
	_, err := readAll(ctx, b, changelog, func(m *ckafka.Message) error {
		v, err := value(m.Value)
		if err != nil {
			return fmt.Errorf("kafkabench: %s/%d at %d: %w", changelog, m.TopicPartition.Partition, m.TopicPartition.Offset, err)
		}
		k := string(m.Key)
		if v != last[k]+1 {
			return fmt.Errorf("kafkabench: %s/%d at %d: key %s counts %d after %d", changelog, m.TopicPartition.Partition, m.TopicPartition.Offset, k, v, last[k])
		}
		last[k] = v
		records++
		return nil
	})
	if err == nil && records < n {
		err = fmt.Errorf("kafkabench: changelog %s holds %d records, want at least %d", changelog, records, n)
	}
	return errors.Join(err, b.deleteTopic(changelog))
}

// countsTo returns a done function that calls last once it has seen n
// successes, and keeps the first error it is given in failed.
func countsTo(n int, failed *atomic.Pointer[error], last func()) func(error) {
	var left atomic.Int64
	left.Store(int64(n))
	return func(err error) {
		if err != nil {
			first := err // not &err: that would move every err to the heap
			failed.CompareAndSwap(nil, &first)
			return
		}
		if left.Add(-1) == 0 {
			last()
		}
	}
}

// bigEndian decodes the eight bytes of a raw side's count.
func bigEndian(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("a count of %d bytes, want 8", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

// quiet is the logger of the slipstream sides' tables.
var quiet = slog.New(slog.DiscardHandler)
