package flow

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
)

// errAborted is what a stage returns when it stops because the run aborted;
// the error that caused the abort is reported instead.
var errAborted = errors.New("stream: aborted")

// errStopped is the cause of a source's context when the app asks it to stop.
var errStopped = errors.New("stream: source stopped")

// A run is one execution of an app's plan: the goroutines of every stage, and
// the signals that stop (drain) or abort them.
type run struct {
	ctx     context.Context // done when the run aborts; its cause is the first error
	done    <-chan struct{}
	cancel  context.CancelCauseFunc
	aborted atomic.Bool // ctx is done: cheaper to check for every chunk

	stopCtx context.Context // done when the app stops reading its sources
	stop    context.CancelFunc

	bindings []*binding   // of the app being run; nil for a standalone run
	logger   *slog.Logger // the app's

	monitor     Monitor                    // the app's; nil: no metrics
	instruments map[string]*HandlerMetrics // by handler name, from monitor

	stopsMu   sync.Mutex
	stops     map[*gate][]context.CancelCauseFunc // each Feed of a gate's source: stops it early (Take)
	wg        sync.WaitGroup
	pending   []func()                    // goroutines to start once every stage is built
	checks    []func() error              // checks made once every stage is built
	cancelled []func(ctx context.Context) // run with a done context if the run never starts
}

func newRun(ctx context.Context, bindings []*binding) *run {
	abortCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stopCtx, stop := context.WithCancelCause(abortCtx)
	r := &run{
		ctx:      abortCtx,
		done:     abortCtx.Done(),
		cancel:   cancel,
		stopCtx:  stopCtx,
		stop:     func() { stop(errStopped) },
		bindings: bindings,
		logger:   slog.Default(),
	}
	return r
}

// spawn registers a goroutine, started by start. Its error, if it is the
// first, aborts the run.
func (r *run) spawn(f func() error) {
	r.pending = append(r.pending, func() {
		r.wg.Go(func() {
			if err := f(); err != nil {
				r.fail(err)
			}
		})
	})
}

// check registers a check to make once every stage is built.
func (r *run) check(f func() error) { r.checks = append(r.checks, f) }

// onNoStart registers f to run, with a done context, if the run fails its
// checks and never starts.
func (r *run) onNoStart(f func(ctx context.Context)) { r.cancelled = append(r.cancelled, f) }

// start checks the plan and starts every goroutine.
func (r *run) start() error {
	for _, c := range r.checks {
		if err := c(); err != nil {
			ctx, cancel := context.WithCancelCause(context.Background())
			cancel(err)
			for _, f := range r.cancelled {
				f(ctx)
			}
			return err
		}
	}
	for _, f := range r.pending {
		f()
	}
	r.pending = nil
	return nil
}

// fail aborts the run with err unless it is the echo of an earlier abort.
func (r *run) fail(err error) {
	if errors.Is(err, errAborted) && r.aborted.Load() {
		return
	}
	r.aborted.Store(true)
	r.cancel(err)
}

// abort ends the run at once.
func (r *run) abort() {
	r.aborted.Store(true)
	r.cancel(errAborted)
}

// wait waits for every goroutine of the run.
func (r *run) wait() { r.wg.Wait() }

// err returns the error that aborted the run, nil if none did.
func (r *run) err() error {
	err := context.Cause(r.ctx)
	if errors.Is(err, errAborted) {
		return nil
	}
	return err
}

// sourceContext returns the context that src's Feed runs with: it is done
// when src should stop reading. A source that bindings of this app write to
// (a Proxy both sink and source) stops once those writers have ended, so that
// nothing they wrote is lost; any other source stops when the app stops.
func (r *run) sourceContext(src any) context.Context {
	writers := r.writersOf(src)
	if len(writers) == 0 {
		return r.stopCtx
	}
	ctx, cancel := context.WithCancelCause(r.ctx)
	r.spawn(func() error {
		for _, w := range writers {
			select {
			case <-w.done:
			case <-r.done:
			}
		}
		cancel(errStopped)
		return nil
	})
	return ctx
}

// feedContext returns the context a source's Feed runs with: its
// sourceContext, which Take may also end early through the source's gate.
// A source fed by several copies of a handler has a Feed, and a context,
// per copy; stopping the gate stops them all.
func (r *run) feedContext(src any, g *gate) context.Context {
	ctx, cancel := context.WithCancelCause(r.sourceContext(src))
	r.stopsMu.Lock()
	defer r.stopsMu.Unlock()
	if r.stops == nil {
		r.stops = make(map[*gate][]context.CancelCauseFunc)
	}
	r.stops[g] = append(r.stops[g], cancel)
	return ctx
}

// stopSources asks the sources behind origins to stop reading, as the app
// does when it stops, but for them alone.
func (r *run) stopSources(origins []origin) {
	r.stopsMu.Lock()
	defer r.stopsMu.Unlock()
	for _, o := range origins {
		for _, cancel := range r.stops[o.gate] {
			cancel(errStopped)
		}
	}
}

// writersOf returns the bindings that write to src, unless one of them reads
// from src itself, directly or through other bindings: a cycle, which stops
// when the app stops.
func (r *run) writersOf(src any) []*binding {
	var writers []*binding
	if o, ok := src.(Origin); ok {
		src = o.Origin()
	}
	for _, b := range r.bindings {
		if b.writesTo(src) {
			writers = append(writers, b)
		}
	}
	for _, w := range writers {
		if r.reads(w, src, map[*binding]bool{}) {
			return nil
		}
	}
	return writers
}

// reads reports whether b reads src, directly or through bindings that write
// to the sources b reads.
func (r *run) reads(b *binding, src any, seen map[*binding]bool) bool {
	if seen[b] {
		return false
	}
	seen[b] = true
	for _, o := range b.origins {
		if same(o.src, src) {
			return true
		}
		for _, w := range r.bindings {
			if w.writesTo(o.src) && r.reads(w, src, seen) {
				return true
			}
		}
	}
	return false
}

// same reports whether a and b are the same source or sink, without
// panicking on values that cannot be compared.
func same(a, b any) bool {
	t := reflect.TypeOf(a)
	if t != reflect.TypeOf(b) || t == nil || !t.Comparable() {
		return false
	}
	return a == b
}
