package kafka

import "testing"

// A partition's lag from librdkafka's statistics: librdkafka's own when it
// knows it; under exactly-once, the last stable offset less what the
// consumer's transactions committed, which librdkafka's committed offset
// does not see; the whole partition until anything is committed.
func TestPartitionLag(t *testing.T) {
	for _, c := range []struct {
		name string
		p    rdPartition
		txn  int64
		lag  int64
		ok   bool
	}{
		{"librdkafka's", rdPartition{ConsumerLag: 7, HiOffset: 10, LsOffset: 10, CommittedOffset: 3}, -1, 7, true},
		{"transactions committed", rdPartition{ConsumerLag: 10, HiOffset: 12, LsOffset: 10, CommittedOffset: -1001}, 8, 2, true},
		{"another consumer committed further", rdPartition{ConsumerLag: 1, HiOffset: 10, LsOffset: 10, CommittedOffset: 9}, 4, 1, true},
		{"nothing committed", rdPartition{ConsumerLag: -1, HiOffset: 10, LsOffset: 10, LoOffset: 2, CommittedOffset: -1001}, -1, 8, true},
		{"no fetch yet", rdPartition{ConsumerLag: -1, HiOffset: -1, LsOffset: -1, CommittedOffset: -1001}, -1, 0, false},
	} {
		if lag, ok := c.p.lag(c.txn); lag != c.lag || ok != c.ok {
			t.Errorf("%s: lag %d, %v; want %d, %v", c.name, lag, ok, c.lag, c.ok)
		}
	}
}
