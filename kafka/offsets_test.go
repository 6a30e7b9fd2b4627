package kafka

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A fakeCommitter records what offsets hands it.
type fakeCommitter struct {
	stored, committed []string // "partition@offset", or "stored" for a commit of the stored offsets
}

func (f *fakeCommitter) StoreOffsets(tps []ckafka.TopicPartition) ([]ckafka.TopicPartition, error) {
	f.stored = append(f.stored, format(tps)...)
	return tps, nil
}

func (f *fakeCommitter) Commit() ([]ckafka.TopicPartition, error) {
	f.committed = append(f.committed, "stored")
	return nil, nil
}

func (f *fakeCommitter) CommitOffsets(tps []ckafka.TopicPartition) ([]ckafka.TopicPartition, error) {
	f.committed = append(f.committed, format(tps)...)
	return tps, nil
}

func format(tps []ckafka.TopicPartition) []string {
	var s []string
	for _, tp := range tps {
		s = append(s, fmt.Sprintf("%d@%d", tp.Partition, tp.Offset))
	}
	slices.Sort(s)
	return s
}

func newTestOffsets(c committer) *offsets {
	topic := "in"
	return &offsets{topic: &topic, committer: c, logger: slog.New(slog.DiscardHandler), parts: make(map[int32]*partition)}
}

// accept writes and accepts messages at offsets of partition p.
func accept(t *testing.T, o *offsets, p int32, offs ...int64) {
	t.Helper()
	tr := o.current(p)
	if tr == nil {
		t.Fatalf("partition %d is not assigned", p)
	}
	for _, off := range offs {
		tr.Accept(tr.push(off))
	}
}

func TestOffsetsStoreWhatIsAccepted(t *testing.T) {
	f := &fakeCommitter{}
	o := newTestOffsets(f)
	o.assign([]ckafka.TopicPartition{{Partition: 0}, {Partition: 1}}, true, true)
	accept(t, o, 0, 10, 11)
	o.store(false)
	o.store(false) // nothing new
	if want := []string{"0@12"}; !slices.Equal(f.stored, want) {
		t.Fatalf("stored %v, want %v", f.stored, want)
	}
	o.store(true) // everything accepted, again
	if want := []string{"0@12", "0@12"}; !slices.Equal(f.stored, want) {
		t.Fatalf("stored %v, want %v", f.stored, want)
	}
	if len(f.committed) != 0 {
		t.Fatalf("committed %v: librdkafka commits what is stored", f.committed)
	}
	o.commit()
	if want := []string{"stored"}; !slices.Equal(f.committed, want) {
		t.Fatalf("committed %v, want %v", f.committed, want)
	}
}

func TestOffsetsCommitRevokedPartitions(t *testing.T) {
	f := &fakeCommitter{}
	o := newTestOffsets(f)
	o.assign([]ckafka.TopicPartition{{Partition: 0}, {Partition: 1}, {Partition: 2}}, true, true)
	accept(t, o, 0, 5)
	accept(t, o, 1, 7)
	stale := o.current(0)
	o.revoke([]ckafka.TopicPartition{{Partition: 0}, {Partition: 2}}, false)
	if want := []string{"0@6"}; !slices.Equal(f.stored, want) || !slices.Equal(f.committed, want) {
		t.Fatalf("stored %v, committed %v; want %v for both", f.stored, f.committed, want)
	}
	if !stale.isStale() || o.current(0) != nil {
		t.Fatal("a revoked partition's tracker is current")
	}
	if got := format(o.assigned()); !slices.Equal(got, []string{"1@0"}) {
		t.Fatalf("assigned %v, want partition 1", got)
	}

	// A lost assignment commits nothing: the commit could only fail.
	o.revoke([]ckafka.TopicPartition{{Partition: 1}}, true)
	if len(f.committed) != 1 {
		t.Fatalf("committed %v after a lost assignment", f.committed)
	}
}

func TestOffsetsEagerAssignReplaces(t *testing.T) {
	o := newTestOffsets(&fakeCommitter{})
	o.assign([]ckafka.TopicPartition{{Partition: 0}}, true, true)
	old := o.current(0)
	o.assign([]ckafka.TopicPartition{{Partition: 1}}, false, true) // cooperative: adds
	if o.current(0) != old || o.current(1) == nil {
		t.Fatal("a cooperative assignment changed the partitions held")
	}
	o.assign([]ckafka.TopicPartition{{Partition: 2}}, true, true) // eager: replaces
	if !old.isStale() || o.current(0) != nil || o.current(1) != nil || o.current(2) == nil {
		t.Fatal("an eager assignment kept the partitions held before")
	}
}

func TestOffsetsMoveTo(t *testing.T) {
	f := &fakeCommitter{}
	o := newTestOffsets(f)
	o.assign([]ckafka.TopicPartition{{Partition: 0}, {Partition: 1}}, true, true)
	accept(t, o, 0, 3)
	accept(t, o, 1, 4)
	old0, old1 := o.current(0), o.current(1)
	to := o.moveTo(PerPartition(map[int32]int64{0: 1, 9: 2}))
	if got := format(to); !slices.Equal(got, []string{"0@1"}) {
		t.Fatalf("moveTo = %v, want partition 0 to offset 1", got)
	}
	if want := []string{"0@4"}; !slices.Equal(f.stored, want) {
		t.Fatalf("stored %v, want %v: what was accepted before the seek", f.stored, want)
	}
	if !old0.isStale() || o.current(0) == old0 || old1.isStale() || o.current(1) != old1 {
		t.Fatal("moveTo replaced the wrong trackers")
	}
	if waiting, _ := o.inFlight(); waiting != 0 {
		t.Fatalf("%d in flight", waiting)
	}
}
