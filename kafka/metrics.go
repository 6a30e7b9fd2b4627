package kafka

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/stream/streamio"
)

// statsInterval is librdkafka's statistics.interval.ms for the consumers
// of an instrumented topic whose configuration does not set it: the
// consumer lag and the broker connections are this fresh. Making and
// parsing the statistics once a second costs nothing measurable.
const statsInterval = 1000

// topicMetrics is what a Topic counts for its metrics once an app has
// instrumented it (see [Topic.Instrument]): nothing before, so that a
// topic without metrics pays nothing.
type topicMetrics struct {
	reading atomic.Bool  // consumers made from now on count and report statistics
	writing atomic.Bool  // producers made from now on report statistics
	queued  atomic.Int64 // the producer's queue, from its last statistics

	mu       sync.Mutex
	consumed map[int32]*atomic.Int64 // messages handed to the app, by partition
	cc, pc   prometheus.Collector    // the consumer's and producer's collectors, made once

	commits, commitFailures atomic.Int64
	produced, lost          atomic.Int64 // delivery reports: delivered, failed
}

// counter returns the consumed-message counter of partition p.
func (m *topicMetrics) counter(p int32) *atomic.Int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.consumed == nil {
		m.consumed = map[int32]*atomic.Int64{}
	}
	c := m.consumed[p]
	if c == nil {
		c = new(atomic.Int64)
		m.consumed[p] = c
	}
	return c
}

// delivered counts a delivery report; m may be nil (a dead-letter
// producer's).
func (m *topicMetrics) delivered(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.lost.Add(1)
	} else {
		m.produced.Add(1)
	}
}

// Instrument registers the topic's metrics on reg, labelled topic=NAME:
// for an app that reads it (role has [streamio.Read]), the messages its
// consumers hand the app, by partition, their consumer lag, commits, and
// paused and assigned partitions; for one that writes to it, the messages
// delivered and lost, and the producer's queue; for a topic in an
// [ExactlyOnce] group, the group's transactions, labelled
// transactional_id=ID (every topic of the group registers the same
// collector). It implements
// [streamio.Instrumented]; an app with metrics calls it when it starts.
//
// The consumers made from then on keep count: one atomic add per message,
// and librdkafka's statistics every second (statistics.interval.ms, unless
// the topic's configuration sets it), which bring the lag: the broker's
// high watermark, as of the partition's last fetch, less the group's
// committed offset.
func (t *Topic[K, V]) Instrument(reg prometheus.Registerer, role streamio.Role) error {
	t.metrics.mu.Lock()
	if t.metrics.cc == nil {
		t.metrics.cc = &consumerCollector[K, V]{t: t, descs: consumerDescs(t.name)}
		t.metrics.pc = &producerCollector[K, V]{t: t, descs: producerDescs(t.name)}
	}
	cc, pc := t.metrics.cc, t.metrics.pc
	t.metrics.mu.Unlock()
	if role&streamio.Read != 0 {
		t.metrics.reading.Store(true)
		if err := registerOnce(reg, cc); err != nil {
			return fmt.Errorf("kafka: topic %s: registering its consumer metrics: %w", t.name, err)
		}
	}
	if role&streamio.Written != 0 {
		t.metrics.writing.Store(true)
		if err := registerOnce(reg, pc); err != nil {
			return fmt.Errorf("kafka: topic %s: registering its producer metrics: %w", t.name, err)
		}
	}
	if t.eo != nil {
		if role&streamio.Written != 0 {
			t.eo.tx.countFor(t.name, &t.metrics) // the group's producer sends for the topic
		}
		if err := registerOnce(reg, t.eo.collector); err != nil {
			return fmt.Errorf("kafka: topic %s: registering the metrics of %s: %w", t.name, t.eo, err)
		}
	}
	return nil
}

// registerOnce registers c on reg; c registered there already is not an
// error. Another collector with the same metrics is: another Topic value
// for the same topic, instrumented by the same app.
func registerOnce(reg prometheus.Registerer, c prometheus.Collector) error {
	err := reg.Register(c)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) && already.ExistingCollector == c {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w (is another Topic value of this topic bound to the same app?)", err)
	}
	return nil
}

// The descriptions of a topic's consumer metrics.
type consumerMetricDescs struct {
	consumed, lag, commits, commitFailures, paused, assigned, skipped *prometheus.Desc
}

func consumerDescs(topic string) consumerMetricDescs {
	l := prometheus.Labels{"topic": topic}
	part := []string{"partition"}
	return consumerMetricDescs{
		consumed: prometheus.NewDesc("slipstream_messages_consumed_total",
			"Messages the topic's consumers handed to the app, by partition.", part, l),
		lag: prometheus.NewDesc("slipstream_consumer_lag",
			"Messages of the partition that the consumer group has yet to commit: the broker's high watermark, as of the partition's last fetch, less the group's committed offset (librdkafka's consumer_lag; the partition's low watermark stands for the committed offset until the group commits one).", part, l),
		commits: prometheus.NewDesc("slipstream_commits_total",
			"Offset commits of the topic's consumers that succeeded.", nil, l),
		commitFailures: prometheus.NewDesc("slipstream_commit_failures_total",
			"Offset commits of the topic's consumers that failed.", nil, l),
		paused: prometheus.NewDesc("slipstream_partitions_paused",
			"Assigned partitions the topic's consumers have paused: the stream they feed is paused (backpressure, a checkpoint's downtime) or they hold many messages.", nil, l),
		assigned: prometheus.NewDesc("slipstream_partitions_assigned",
			"Partitions assigned to the topic's consumers in this process.", nil, l),
		skipped: prometheus.NewDesc("slipstream_messages_skipped_total",
			"Messages the topic could not decode and skipped (kafka.SkipBadInput).", nil, l),
	}
}

// A consumerCollector reads, at scrape time, what a topic's consumers
// count.
type consumerCollector[K, V any] struct {
	t     *Topic[K, V]
	descs consumerMetricDescs
}

func (c *consumerCollector[K, V]) Describe(ch chan<- *prometheus.Desc) {
	d := c.descs
	for _, desc := range []*prometheus.Desc{d.consumed, d.lag, d.commits, d.commitFailures, d.paused, d.assigned, d.skipped} {
		ch <- desc
	}
}

func (c *consumerCollector[K, V]) Collect(ch chan<- prometheus.Metric) {
	t, d := c.t, c.descs
	t.metrics.mu.Lock()
	consumed := maps.Clone(t.metrics.consumed)
	t.metrics.mu.Unlock()
	for p, n := range consumed {
		ch <- prometheus.MustNewConstMetric(d.consumed, prometheus.CounterValue, float64(n.Load()), partitionLabel(p))
	}
	var paused, assigned int
	lag := map[int32]int64{}
	for _, con := range t.reading() {
		n := con.offsets.count()
		assigned += n
		if con.obs != nil && con.obs.pausing.Load() {
			paused += n
		}
		if s := con.obs.lastStats(); s != nil {
			maps.Copy(lag, s.lag) // a partition moved between two consumers: either figure will do
		}
	}
	for p, n := range lag {
		ch <- prometheus.MustNewConstMetric(d.lag, prometheus.GaugeValue, float64(n), partitionLabel(p))
	}
	ch <- prometheus.MustNewConstMetric(d.commits, prometheus.CounterValue, float64(t.metrics.commits.Load()))
	ch <- prometheus.MustNewConstMetric(d.commitFailures, prometheus.CounterValue, float64(t.metrics.commitFailures.Load()))
	ch <- prometheus.MustNewConstMetric(d.paused, prometheus.GaugeValue, float64(paused))
	ch <- prometheus.MustNewConstMetric(d.assigned, prometheus.GaugeValue, float64(assigned))
	ch <- prometheus.MustNewConstMetric(d.skipped, prometheus.CounterValue, float64(t.Skipped()))
}

func partitionLabel(p int32) string { return strconv.Itoa(int(p)) }

// reading returns the topic's consumers that still read.
func (t *Topic[K, V]) reading() []*consumer[K, V] {
	t.mu.Lock()
	defer t.mu.Unlock()
	var cs []*consumer[K, V]
	for _, c := range t.consumers {
		if c.running() {
			cs = append(cs, c)
		}
	}
	return cs
}

// The descriptions of a topic's producer metrics.
type producerMetricDescs struct {
	produced, lost, queue *prometheus.Desc
}

func producerDescs(topic string) producerMetricDescs {
	l := prometheus.Labels{"topic": topic}
	return producerMetricDescs{
		produced: prometheus.NewDesc("slipstream_messages_produced_total",
			"Messages the broker acknowledged (delivery reports without an error).", nil, l),
		lost: prometheus.NewDesc("slipstream_produce_errors_total",
			"Messages the producer gave up on (delivery reports with an error).", nil, l),
		queue: prometheus.NewDesc("slipstream_producer_queue_messages",
			"Messages the producer holds, not yet acknowledged by the broker (librdkafka's msg_cnt, from its statistics every second).", nil, l),
	}
}

// A producerCollector reads, at scrape time, what a topic's producer
// counts.
type producerCollector[K, V any] struct {
	t     *Topic[K, V]
	descs producerMetricDescs
}

func (c *producerCollector[K, V]) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.descs.produced
	ch <- c.descs.lost
	ch <- c.descs.queue
}

func (c *producerCollector[K, V]) Collect(ch chan<- prometheus.Metric) {
	t, d := c.t, c.descs
	var queued int64
	if t.prod.Load() != nil {
		queued = t.metrics.queued.Load()
	}
	ch <- prometheus.MustNewConstMetric(d.produced, prometheus.CounterValue, float64(t.metrics.produced.Load()))
	ch <- prometheus.MustNewConstMetric(d.lost, prometheus.CounterValue, float64(t.metrics.lost.Load()))
	ch <- prometheus.MustNewConstMetric(d.queue, prometheus.GaugeValue, float64(queued))
}

// A transactionCollector reads, at scrape time, what an [ExactlyOnce]'s
// transactions count. Every topic of the group registers the one
// collector.
type transactionCollector struct {
	tx                               *transaction
	committed, aborted, held, failed *prometheus.Desc
}

func newTransactionCollector(tx *transaction) *transactionCollector {
	l := prometheus.Labels{"transactional_id": tx.id}
	return &transactionCollector{
		tx: tx,
		committed: prometheus.NewDesc("slipstream_transactions_committed_total",
			"Transactions the exactly-once group committed.", nil, l),
		aborted: prometheus.NewDesc("slipstream_transactions_aborted_total",
			"Transactions the exactly-once group aborted: its app failed, and what it handled since the last commit is to be handled again.", nil, l),
		held: prometheus.NewDesc("slipstream_transaction_commit_seconds_total",
			"Time the group's commits held its fetch loops: waiting for the outputs of messages in flight, sending the offsets, committing. Its rate over the rate of commits is the mean pause a commit costs.", nil, l),
		failed: prometheus.NewDesc("slipstream_transactions_failed",
			"1 once the group's transactions have ended with an error (a fenced producer, a failed commit, an aborted app): nothing more commits.", nil, l),
	}
}

func (c *transactionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.committed
	ch <- c.aborted
	ch <- c.held
	ch <- c.failed
}

func (c *transactionCollector) Collect(ch chan<- prometheus.Metric) {
	failed := 0.0
	if c.tx.err() != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(c.committed, prometheus.CounterValue, float64(c.tx.commits.Load()))
	ch <- prometheus.MustNewConstMetric(c.aborted, prometheus.CounterValue, float64(c.tx.aborts.Load()))
	ch <- prometheus.MustNewConstMetric(c.held, prometheus.CounterValue, time.Duration(c.tx.held.Load()).Seconds())
	ch <- prometheus.MustNewConstMetric(c.failed, prometheus.GaugeValue, failed)
}

var _ streamio.Instrumented = (*Topic[string, string])(nil)
