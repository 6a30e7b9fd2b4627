package kafka

import (
	"encoding/json"
	"maps"
	"sync"
	"sync/atomic"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// librdkafka's statistics (statistics.interval.ms; see its STATISTICS.md):
// the fields the metrics read.
type rdStats struct {
	MsgCnt  int64               `json:"msg_cnt"` // a producer's queue
	Brokers map[string]rdBroker `json:"brokers"`
	Topics  map[string]rdTopic  `json:"topics"`
}

type rdBroker struct {
	State  string `json:"state"` // "UP" when connected
	NodeID int32  `json:"nodeid"`
}

type rdTopic struct {
	Partitions map[string]rdPartition `json:"partitions"`
}

type rdPartition struct {
	Partition       int32 `json:"partition"`
	ConsumerLag     int64 `json:"consumer_lag"`     // hi_offset (ls_offset under read_committed) less committed_offset; -1 when either is unknown
	HiOffset        int64 `json:"hi_offset"`        // the high watermark, as of the last fetch
	LsOffset        int64 `json:"ls_offset"`        // the last stable offset, as of the last fetch
	LoOffset        int64 `json:"lo_offset"`        // the low watermark, -1 when not known
	CommittedOffset int64 `json:"committed_offset"` // the group's, -1001 when none
}

// lag returns the partition's consumer lag, and false when its high
// watermark is not known yet. Until the group commits an offset the lag
// is the whole partition, as [Topic.Lag] counts it. txn is the offset the
// consumer's last transaction committed there, or -1: librdkafka's
// committed offset knows only the consumer's own commits, so under
// exactly-once the lag is the last stable offset less txn.
func (p rdPartition) lag(txn int64) (int64, bool) {
	switch {
	case txn >= 0 && p.LsOffset >= 0:
		return max(0, p.LsOffset-max(txn, p.CommittedOffset)), true
	case p.ConsumerLag >= 0:
		return p.ConsumerLag, true
	case p.HiOffset < 0:
		return 0, false
	case p.CommittedOffset >= 0:
		return max(0, p.HiOffset-p.CommittedOffset), true
	default:
		return max(0, p.HiOffset-max(p.LoOffset, 0)), true
	}
}

// brokersUp counts the brokers a client is connected to, of those it
// knows by id (not its bootstrap addresses).
func (s *rdStats) brokersUp() (up, known int) {
	for _, b := range s.Brokers {
		if b.NodeID < 0 {
			continue
		}
		known++
		if b.State == "UP" {
			up++
		}
	}
	return up, known
}

// withStats returns conf with statistics.interval.ms set to statsInterval
// if on and conf does not set it.
func withStats(conf ConfigMap, on bool) ConfigMap {
	if _, set := conf["statistics.interval.ms"]; !on || set {
		return conf
	}
	conf = maps.Clone(conf)
	conf["statistics.interval.ms"] = statsInterval
	return conf
}

// producerConf returns the configuration of a producer of a topic
// configured with conf: with statistics once the topic is instrumented as
// a sink. m may be nil.
func (m *topicMetrics) producerConf(conf ConfigMap) ConfigMap {
	return withStats(conf, m != nil && m.writing.Load())
}

// producerStats reads a producer's statistics. m may be nil.
func (m *topicMetrics) producerStats(js string) {
	if m == nil {
		return
	}
	var s rdStats
	if json.Unmarshal([]byte(js), &s) == nil {
		m.queued.Store(s.MsgCnt)
	}
}

// A consumerObserver keeps what one consumer of an instrumented topic
// reports: the messages it hands the app, its commits, its statistics. A
// nil one, a consumer's without metrics, does nothing.
type consumerObserver struct {
	topic   string
	metrics *topicMetrics
	stats   atomic.Pointer[consumerStats] // from its last statistics
	pausing atomic.Bool                   // its assigned partitions are paused

	mu  sync.Mutex
	txn map[int32]int64 // the offsets its transactions committed, by partition (exactly-once)

	// Owned by the fetch loop: the counter of the last message's partition,
	// so that a run of messages from one partition costs no map lookup.
	lastPart int32
	last     *atomic.Int64
}

// What a consumer's last statistics said.
type consumerStats struct {
	lag               map[int32]int64 // of its assigned partitions
	brokersUp, broker int
}

// observer returns the observer of a new consumer: nil unless the topic
// is instrumented as a source.
func (m *topicMetrics) observer(topic string) *consumerObserver {
	if !m.reading.Load() {
		return nil
	}
	return &consumerObserver{topic: topic, metrics: m, lastPart: -1}
}

// conf returns the configuration of the consumer: conf, with statistics.
func (o *consumerObserver) conf(conf ConfigMap) ConfigMap { return withStats(conf, o != nil) }

// consumed counts a message of partition p handed to the app.
func (o *consumerObserver) consumed(p int32) {
	if o == nil {
		return
	}
	if o.last == nil || o.lastPart != p {
		o.last, o.lastPart = o.metrics.counter(p), p
	}
	o.last.Add(1)
}

// committedInTransaction counts a transaction that committed the offsets
// tps of the consumer, and keeps them for the lag.
func (o *consumerObserver) committedInTransaction(tps []ckafka.TopicPartition) {
	if o == nil {
		return
	}
	o.metrics.commits.Add(1)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.txn == nil {
		o.txn = map[int32]int64{}
	}
	for _, tp := range tps {
		o.txn[tp.Partition] = int64(tp.Offset)
	}
}

// txnOffset returns the offset the consumer's transactions last committed
// in partition p, or -1.
func (o *consumerObserver) txnOffset(p int32) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if off, ok := o.txn[p]; ok {
		return off
	}
	return -1
}

// committed counts a commit and whether it failed.
func (o *consumerObserver) committed(err error) {
	switch {
	case o == nil || isNoOffset(err): // nothing to commit
	case err != nil:
		o.metrics.commitFailures.Add(1)
	default:
		o.metrics.commits.Add(1)
	}
}

// setPaused records whether the consumer's partitions are paused.
func (o *consumerObserver) setPaused(paused bool) {
	if o != nil {
		o.pausing.Store(paused)
	}
}

// statistics reads the consumer's statistics: the lag of each partition
// assigned now (assigned reports which), and its broker connections.
func (o *consumerObserver) statistics(js string, assigned func(int32) bool) {
	if o == nil {
		return
	}
	var s rdStats
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		return
	}
	cs := &consumerStats{lag: map[int32]int64{}}
	cs.brokersUp, cs.broker = s.brokersUp()
	for _, p := range s.Topics[o.topic].Partitions {
		if p.Partition < 0 || !assigned(p.Partition) {
			continue
		}
		if lag, ok := p.lag(o.txnOffset(p.Partition)); ok {
			cs.lag[p.Partition] = lag
		}
	}
	o.stats.Store(cs)
}
