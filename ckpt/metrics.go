package ckpt

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Instrument registers the checkpoint's metrics on reg, labelled
// checkpoint=NAME and, per dependency, dependency=NAME: whether each
// dependency is down, how often it went down and recovered, its last
// downtime (in seconds, when downtimes are durations), and whether the
// checkpoint holds its dependent paused. It implements
// [streamio.Instrumented]; an app with metrics calls it, through the
// [HeartbeatSink] bound to it, when it starts.
func (c *Checkpoint[M, D]) Instrument(reg prometheus.Registerer, _ streamio.Role) error {
	c.metricsOnce.Do(func() { c.collector = newCollector(c.name, c.figures) })
	err := reg.Register(c.collector)
	var already prometheus.AlreadyRegisteredError
	if errors.As(err, &already) && already.ExistingCollector == c.collector {
		return nil
	}
	return err
}

// Instrument instruments the sink's checkpoint (see
// [Checkpoint.Instrument]), and its store if that is
// [streamio.Instrumented].
func (s *HeartbeatSink[T, M, D]) Instrument(reg prometheus.Registerer, role streamio.Role) error {
	if in, ok := s.store.(streamio.Instrumented); ok {
		if err := in.Instrument(reg, role); err != nil {
			return err
		}
	}
	return s.c.Instrument(reg, role)
}

// depFigures are what the metrics show of one dependency.
type depFigures struct {
	name              string
	down              bool
	downs, recoveries int64
	downtime          float64 // seconds, if hasDowntime
	hasDowntime       bool
}

// figures returns what the metrics show: each dependency's figures, and
// whether the dependent is held paused.
func (c *Checkpoint[M, D]) figures() (deps []depFigures, paused bool) {
	for _, d := range c.deps {
		d.mu.Lock()
		f := depFigures{name: d.name, down: d.down, downs: d.downs.Load(), recoveries: d.recoveries.Load()}
		if dt, ok := any(d.downtime).(time.Duration); ok && d.hasDowntime {
			f.downtime, f.hasDowntime = dt.Seconds(), true
		}
		d.mu.Unlock()
		paused = paused || f.down
		deps = append(deps, f)
	}
	return deps, paused && c.pause && c.dependent != nil
}

// A collector reads, at scrape time, what a checkpoint keeps.
type collector struct {
	down, downs, recoveries, downtime, paused *prometheus.Desc
	read                                      func() ([]depFigures, bool)
}

func newCollector(name string, read func() ([]depFigures, bool)) *collector {
	l := prometheus.Labels{"checkpoint": name}
	dep := []string{"dependency"}
	return &collector{
		down: prometheus.NewDesc("slipstream_checkpoint_dependency_down",
			"1 while the dependency is down (behind the dependent), 0 otherwise.", dep, l),
		downs: prometheus.NewDesc("slipstream_checkpoint_downtimes_total",
			"Times the dependency was found down.", dep, l),
		recoveries: prometheus.NewDesc("slipstream_checkpoint_recoveries_total",
			"Times the dependency recovered from a downtime.", dep, l),
		downtime: prometheus.NewDesc("slipstream_checkpoint_downtime_seconds",
			"The dependency's last downtime, as its downtime check measured it.", dep, l),
		paused: prometheus.NewDesc("slipstream_checkpoint_paused",
			"1 while the checkpoint holds its dependent stream paused, 0 otherwise.", nil, l),
		read: read,
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.down, c.downs, c.recoveries, c.downtime, c.paused} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	deps, paused := c.read()
	for _, d := range deps {
		ch <- prometheus.MustNewConstMetric(c.down, prometheus.GaugeValue, boolValue(d.down), d.name)
		ch <- prometheus.MustNewConstMetric(c.downs, prometheus.CounterValue, float64(d.downs), d.name)
		ch <- prometheus.MustNewConstMetric(c.recoveries, prometheus.CounterValue, float64(d.recoveries), d.name)
		if d.hasDowntime {
			ch <- prometheus.MustNewConstMetric(c.downtime, prometheus.GaugeValue, d.downtime, d.name)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.paused, prometheus.GaugeValue, boolValue(paused))
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var (
	_ streamio.Instrumented = (*Checkpoint[int, int])(nil)
	_ streamio.Instrumented = (*HeartbeatSink[int, int, int])(nil)
)
