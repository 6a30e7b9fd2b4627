package state

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Instrument registers the table's metrics on reg, labelled table=NAME:
// the changelog records its restores have read, the partitions it holds
// and those it is restoring; and its changelog producer's (see
// kafka.Topic.Instrument). It implements [streamio.Instrumented]; an app
// with metrics calls it when it starts.
func (t *Table[K, V]) Instrument(reg prometheus.Registerer, _ streamio.Role) error {
	err := reg.Register(t.collector)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) && already.ExistingCollector == t.collector {
		err = nil
	}
	if err != nil {
		return err
	}
	return t.changelog.Instrument(reg, streamio.Written)
}

// A tableCollector reads, at scrape time, what a table counts.
type tableCollector struct {
	restored, held, restoring *prometheus.Desc
	read                      func() (restored int64, held, restoring int)
}

func newTableCollector(name string, read func() (int64, int, int)) *tableCollector {
	l := prometheus.Labels{"table": name}
	return &tableCollector{
		restored: prometheus.NewDesc("slipstream_table_restored_records_total",
			"Changelog records the table's restores have read.", nil, l),
		held: prometheus.NewDesc("slipstream_table_partitions_held",
			"Partitions whose shard the table holds, restored.", nil, l),
		restoring: prometheus.NewDesc("slipstream_table_partitions_restoring",
			"Partitions whose shard the table is restoring from the changelog.", nil, l),
		read: read,
	}
}

func (c *tableCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.restored
	ch <- c.held
	ch <- c.restoring
}

func (c *tableCollector) Collect(ch chan<- prometheus.Metric) {
	restored, held, restoring := c.read()
	ch <- prometheus.MustNewConstMetric(c.restored, prometheus.CounterValue, float64(restored))
	ch <- prometheus.MustNewConstMetric(c.held, prometheus.GaugeValue, float64(held))
	ch <- prometheus.MustNewConstMetric(c.restoring, prometheus.GaugeValue, float64(restoring))
}

// figures returns what the table's metrics show.
func (t *Table[K, V]) figures() (restored int64, held, restoring int) {
	t.mu.RLock()
	held = len(t.shards)
	t.mu.RUnlock()
	return t.restored.Load(), held, int(t.restoring.Load())
}

var _ streamio.Instrumented = (*Table[string, int])(nil)
