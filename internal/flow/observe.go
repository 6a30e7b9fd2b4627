package flow

import (
	"errors"
	"time"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// A Counter counts events; a prometheus.Counter is one. The engine
// declares the method sets it calls, so that it imports no metrics library.
type Counter interface{ Inc() }

// An Observer takes samples; a prometheus.Observer (a histogram's child)
// is one.
type Observer interface{ Observe(float64) }

// HandlerMetrics are the instruments of one handler, resolved once when
// the app starts so that the hot path pays no label lookup. A nil field is
// not measured.
type HandlerMetrics struct {
	Duration     Observer // seconds each input took, its outputs' hand-off included
	Failed       Counter  // inputs the handler failed on, whatever its policy then did
	Skipped      Counter  // inputs its policy skipped
	DeadLettered Counter  // inputs its policy sent to a dead-letter sink
}

// A Monitor watches an app while it runs: package metrics sets one on an
// app (see App.Monitor) to report its metrics.
type Monitor interface {
	// Start is told of every source and sink bound to the app, once each,
	// before anything runs; its error fails Run.
	Start(resources []Resource) error
	// Handler returns the instruments of the handler called name; it is
	// called once per binding, after Start.
	Handler(name string) *HandlerMetrics
}

// A Resource is a source or a sink bound to an app, as its user made it
// (a sink under a policy is listed, and so is its dead-letter sink).
type Resource struct {
	Value  any
	Source bool // the app reads it
	Sink   bool // the app writes to it
}

// Resources returns the sources and sinks bound to the app, each once,
// in the order they were bound.
func (a *App) Resources() []Resource {
	a.mu.Lock()
	bindings := a.bindings
	a.mu.Unlock()
	var res []Resource
	add := func(v any, source bool) {
		for i := range res {
			if same(res[i].Value, v) {
				res[i].Source = res[i].Source || source
				res[i].Sink = res[i].Sink || !source
				return
			}
		}
		res = append(res, Resource{Value: v, Source: source, Sink: !source})
	}
	for _, b := range bindings {
		for _, o := range b.origins {
			add(o.src, true)
		}
		for _, s := range b.resources {
			add(s, false)
		}
	}
	return res
}

// Running reports whether Run has started the app and not yet returned.
func (a *App) Running() bool {
	select {
	case <-a.ready:
		return !a.stopped.Load()
	default:
		return false
	}
}

// startMonitor tells the app's monitor, if any, what the app is bound to.
func (a *App) startMonitor() error {
	if a.Monitor == nil {
		return nil
	}
	return a.Monitor.Start(a.Resources())
}

// handlerMetrics returns the instruments of handler name, nil when the
// app has no monitor.
func (r *run) handlerMetrics(name string) *HandlerMetrics {
	if r.monitor == nil {
		return nil
	}
	if m, ok := r.instruments[name]; ok {
		return m
	}
	if r.instruments == nil {
		r.instruments = map[string]*HandlerMetrics{}
	}
	m := r.monitor.Handler(name)
	r.instruments[name] = m
	return m
}

// inc counts one event on c, if it is set.
func inc(c Counter) {
	if c != nil {
		c.Inc()
	}
}

// A RunObserver takes n samples of one value at once: the engine
// observes a run of untracked inputs, timed as a whole, with one call.
type RunObserver interface {
	Observer
	ObserveN(v float64, n int)
}

// timeEvery: of the inputs a handler takes one at a time, one in this many
// is timed, and the others are observed at its duration. Two clock
// readings cost about 80 ns on a virtual machine's clock (kvm-clock), 4 %
// of a Kafka message's way through a consuming app: timing every input
// would spend most of the budget metrics have (5 %, bench/README.md).
const timeEvery = 8

// measured returns p timed into m.Duration, with its failures counted in
// m.Failed; p itself when m is nil. Of the inputs pushed one at a time
// (tracked ones, a Kafka topic's), one in timeEvery is timed and each of
// the others observed at the last one's duration; a run of untracked
// inputs is timed as a whole, each input observed at the run's average.
// Every input is observed: the histogram's count is exact.
func measured[T any](m *HandlerMetrics, p pusher[T]) pusher[T] {
	if m == nil {
		return p
	}
	failed := func(err error) error {
		if err != nil && !errors.Is(err, errAborted) {
			inc(m.Failed)
		}
		return err
	}
	push, pushRun := p.push, p.pushRun
	if pushRun == nil { // push each, and say how many were pushed
		pushRun = func(vs []T) error {
			for i, v := range vs {
				if err := push(v, nil); err != nil {
					return &shortRun{err, i + 1}
				}
			}
			return nil
		}
	}
	observeN := func(float64, int) {}
	if d := m.Duration; d != nil {
		observeN = func(v float64, n int) {
			for range n {
				d.Observe(v)
			}
		}
		if ro, ok := d.(RunObserver); ok {
			observeN = ro.ObserveN
		}
	}
	// Clock readings are time.Since(base): one monotonic reading each,
	// where time.Now also reads the wall clock.
	base := time.Now()
	var (
		untimed int     // inputs to come before the next one timed
		last    float64 // the last input timed took this long
	)
	p.push = func(v T, t *ack.Token) error {
		if untimed > 0 {
			untimed--
			err := push(v, t)
			observeN(last, 1)
			return failed(err)
		}
		untimed = timeEvery - 1
		start := time.Since(base)
		err := push(v, t)
		last = (time.Since(base) - start).Seconds()
		observeN(last, 1)
		return failed(err)
	}
	p.pushRun = func(vs []T) error {
		start := time.Since(base)
		err := pushRun(vs)
		n := len(vs)
		if short, ok := err.(*shortRun); ok {
			n, err = short.pushed, short.err
		}
		observeN((time.Since(base)-start).Seconds()/float64(max(n, 1)), n)
		return failed(err)
	}
	return p
}

// A shortRun is the error of a run that failed at its pushed-th input.
type shortRun struct {
	err    error
	pushed int
}

func (e *shortRun) Error() string { return e.err.Error() }

// skipped counts an input that its policy skipped; m may be nil.
func (m *HandlerMetrics) skipped() {
	if m != nil {
		inc(m.Failed)
		inc(m.Skipped)
	}
}

// deadLettered counts an input that its policy dead-lettered; m may be nil.
func (m *HandlerMetrics) deadLettered() {
	if m != nil {
		inc(m.Failed)
		inc(m.DeadLettered)
	}
}

// AppOf returns the engine's App behind a stream.App, for packages of this
// module that extend an app from outside package stream (metrics); package
// stream sets it.
var AppOf func(app any) *App
