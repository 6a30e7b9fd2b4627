package flow

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// An emitter sends each output of a handler to its sinks, in order. It
// collects the outputs for each [BatchSink] and hands them over in runs.
type emitter[U any] struct {
	r       *run
	sinks   []Sink[U]
	async   []AsyncSink[U] // async[i] is sinks[i] when it is an AsyncSink
	batches []*batch[U]    // batches[i] collects for sinks[i] when it is a BatchSink
	reports []func(error)  // reports[i] is the done function of untracked outputs to sinks[i]
	token   *ack.Token     // of the input being handled
	err     error          // the first error; later outputs are dropped
	emit    func(U)

	inflight inflight // outputs taken by async sinks, not yet reported
}

// A batch is the outputs collected for a BatchSink, with their done
// functions.
type batch[U any] struct {
	sink      BatchSink[U]
	vs        []U
	dones     []func(error) // nil for an untracked output
	untracked func(error)   // the done function of every untracked output
}

// newEmitter returns the emitter of handler's outputs to sinks.
func newEmitter[U any](r *run, handler string, sinks []Sink[U]) *emitter[U] {
	n := len(sinks)
	e := &emitter[U]{r: r, sinks: slices.Clone(sinks), async: make([]AsyncSink[U], n), batches: make([]*batch[U], n), reports: make([]func(error), n)}
	for i, s := range e.sinks {
		if ps, ok := s.(*PolicySink[U]); ok {
			s = newPolicied(r, handler, ps)
			e.sinks[i] = s
		}
		e.async[i], _ = s.(AsyncSink[U])
		// One function for every untracked output to the sink.
		e.reports[i] = func(err error) {
			if err != nil && err != errUndecided {
				r.fail(fmt.Errorf("sink %s: %w", Describe(s), err))
			}
			e.inflight.done()
		}
		if b, ok := s.(BatchSink[U]); ok {
			e.batches[i] = &batch[U]{sink: b, vs: make([]U, 0, BatchSize), dones: make([]func(error), 0, BatchSize), untracked: e.reports[i]}
		}
	}
	e.emit = e.send
	return e
}

// send sends v to every sink: the emit function of a handler.
func (e *emitter[U]) send(v U) { e.sendAll(&v) }

// sendAll sends *v to every sink, in order, unless an earlier output failed.
// v is a pointer so that a large item is not copied on the way.
func (e *emitter[U]) sendAll(v *U) {
	if e.err != nil {
		return
	}
	for i, s := range e.sinks {
		if err := e.sendTo(i, s, v); err != nil {
			e.err = fmt.Errorf("sink %s: %w", Describe(s), err)
			return
		}
	}
}

// sendTo sends *v to sink i, s. v is a pointer so that a large item is
// copied once, into the sink's call or its batch, not once more into
// sendTo's.
func (e *emitter[U]) sendTo(i int, s Sink[U], v *U) error {
	a := e.async[i]
	if a == nil {
		return s.Send(e.r.ctx, *v)
	}
	e.inflight.add(1)
	report, t := e.reports[i], e.token
	var done func(error) // nil while untracked
	if t != nil {
		t.Derive(1)
		done = func(err error) {
			if err == nil {
				t.Done()
			}
			report(err)
		}
	}
	if b := e.batches[i]; b != nil {
		e.collect(b, v, done)
		return nil
	}
	if done == nil {
		done = report
	}
	err := a.SendAsync(e.r.ctx, *v, done)
	if err != nil { // not taken: nothing will call done
		if t != nil {
			t.Done()
		}
		e.inflight.done()
	}
	return err
}

// emitRun sends f(v) for each v of vs, untracked, to every sink. When the
// only sink is a BatchSink, as a Kafka topic is, each output is made
// straight into its batch: a run of outputs then costs a call of f and a
// copy each, where one at a time each passes through several calls.
// It stops early once an output fails or the app aborts, as a source
// adding the items one by one would.
func emitRun[T, U any](e *emitter[U], vs []T, f func(T) U) {
	e.token = nil
	if len(e.sinks) != 1 || e.batches[0] == nil {
		for i := range vs {
			if e.err != nil || e.r.aborted.Load() {
				return
			}
			u := f(vs[i])
			e.sendAll(&u)
		}
		return
	}
	b := e.batches[0]
	for len(vs) > 0 && !e.r.aborted.Load() {
		n := min(len(vs), BatchSize-len(b.vs))
		e.inflight.add(n)
		for i := range vs[:n] {
			b.vs = append(b.vs, f(vs[i]))
			b.dones = append(b.dones, nil)
		}
		vs = vs[n:]
		if len(b.vs) == BatchSize {
			e.sendBatch(b)
		}
	}
}

// collect adds *v, with its done function (nil when untracked), to b, and
// sends b once it is full.
func (e *emitter[U]) collect(b *batch[U], v *U, done func(error)) {
	b.vs = append(b.vs, *v)
	b.dones = append(b.dones, done)
	if len(b.vs) == BatchSize {
		e.sendBatch(b)
	}
}

// sendBatch hands b's outputs to its sink. If the sink refuses them, each
// one's done reports the error, which fails the app.
func (e *emitter[U]) sendBatch(b *batch[U]) {
	if err := b.sink.SendBatch(e.r.ctx, b.vs, b.dones, b.untracked); err != nil {
		for _, done := range b.dones {
			if done == nil {
				done = b.untracked
			}
			done(err)
		}
	}
	clear(b.vs)
	clear(b.dones)
	b.vs, b.dones = b.vs[:0], b.dones[:0]
}

// flush hands every BatchSink what was collected for it: the handler's
// source is about to wait for input, or has ended.
func (e *emitter[U]) flush() error {
	for _, b := range e.batches {
		if b != nil && len(b.vs) > 0 {
			e.sendBatch(b)
		}
	}
	return nil
}

// inflight counts outputs that async sinks have taken and not yet reported.
// Adding and reporting take no lock: they happen once per output, on
// different goroutines.
type inflight struct {
	n    atomic.Int64
	mu   sync.Mutex
	zero chan struct{} // closed when n drops to zero, if someone waits
}

func (f *inflight) add(n int) { f.n.Add(int64(n)) }

func (f *inflight) done() {
	if f.n.Add(-1) != 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zero != nil && f.n.Load() == 0 {
		close(f.zero)
		f.zero = nil
	}
}

// wait returns once n is zero, or errAborted once abort is closed. Nothing
// may add once wait is called.
func (f *inflight) wait(abort <-chan struct{}) error {
	f.mu.Lock()
	if f.n.Load() == 0 {
		f.mu.Unlock()
		return nil
	}
	f.zero = make(chan struct{})
	zero := f.zero
	f.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-abort:
		return errAborted
	}
}
