package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// An App is the bindings of handlers to their sources and sinks, run
// together by [App.Run]; see stream.App.
type App struct {
	Logger       *slog.Logger
	DrainTimeout time.Duration
	Monitor      Monitor // reports the app's metrics; nil: none (see observe.go)

	ready chan struct{} // closed once Run has started every binding

	mu       sync.Mutex
	bindings []*binding
	closers  []func(context.Context) error
	ran      bool
	stopped  atomic.Bool // Run has returned
}

// NewApp returns an app with nothing bound to it yet.
func NewApp() *App {
	return &App{Logger: slog.Default(), DrainTimeout: 30 * time.Second, ready: make(chan struct{})}
}

// Ready returns a channel closed once Run has started the app; see
// stream.App.Ready.
func (a *App) Ready() <-chan struct{} { return a.ready }

// OnClose registers f to run when the app has stopped, after every handler
// has ended, with a context that bounds how long it may take. Hooks run in
// the order they were registered; their errors are logged and returned by
// [App.Run].
func (a *App) OnClose(f func(context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closers = append(a.closers, f)
}

// A binding is one handler bound to its source and sinks.
type binding struct {
	name      string
	origins   []origin
	sinks     []any                     // what the handler writes to: each sink, or its Origin
	resources []any                     // the sinks as the user made them, policies unwrapped
	copies    int                       // how many times a run wires it (Handler.Parallel)
	wire      func(r *run) func() error // builds one copy of the binding's stages, returns its loop
	done      chan struct{}             // closed when every copy's loop has returned
}

// target returns what sink s writes to: its Origin if it writes through
// another value (see streamio.Origin), itself otherwise.
func target(s any) any {
	if o, ok := s.(Origin); ok {
		return o.Origin()
	}
	return s
}

func (b *binding) writesTo(src any) bool {
	for _, s := range b.sinks {
		if same(s, src) {
			return true
		}
	}
	return false
}

// Handle binds h to src in app; see stream.Handle.
func Handle[T, U any](app *App, src Stream[T], h Handler[T, U], sinks ...Sink[U]) {
	if app == nil {
		panic("stream.Handle: app is nil")
	}
	copies := h.Copies()
	if n := src.node(); copies > 1 && n.single != "" {
		panic(fmt.Sprintf("stream.Handle: handler %s cannot run as %d copies (Parallel) over %s: %s", h.name, copies, n.name, n.single))
	}
	in := input(src, "handler "+h.name)
	b := &binding{name: h.name, origins: in.origins, copies: copies, done: make(chan struct{})}
	for _, s := range sinks {
		for _, u := range underPolicy(s) {
			b.sinks = append(b.sinks, target(u))
			b.resources = append(b.resources, u)
		}
	}
	if p := h.policy; p != nil && p.DeadLetter != nil {
		b.sinks = append(b.sinks, target(p.DeadLetter.Sink))
		b.resources = append(b.resources, p.DeadLetter.Sink)
	}
	// Each copy has its own emitter, pusher and stages, down to its own
	// Feed of each source; the sinks are shared.
	b.wire = func(r *run) func() error {
		out := newEmitter(r, h.name, sinks)
		push := handlerPusher(r, h, out)
		if h.policy != nil {
			push = policyPusher(r, h, out)
		}
		push = measured(r.handlerMetrics(h.name), push)
		loop := in.wire(r, push)
		return func() error {
			if err := loop(); err != nil {
				return err
			}
			if err := out.flush(); err != nil {
				return err
			}
			return out.inflight.wait(r.done) // until every async sink has reported
		}
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if app.ran {
		panic("stream.Handle: the app has already run")
	}
	app.bindings = append(app.bindings, b)
}

// handlerPusher returns the pusher that hands items to h, and h's outputs
// to out.
func handlerPusher[T, U any](r *run, h Handler[T, U], out *emitter[U]) pusher[T] {
	p := pusher[T]{idle: out.flush, push: func(v T, t *ack.Token) error {
		out.token = t
		var err error
		if h.one != nil { // made by Func: call it without going through emit
			u := h.one(v)
			out.sendAll(&u)
		} else if h.do != nil { // made by Do: no output
			h.do(v)
		} else {
			err = h.fn(r.ctx, v, out.emit)
		}
		if err == nil {
			err = out.err
		}
		if err != nil {
			return fmt.Errorf("handler %s: %w", h.name, err)
		}
		t.Done()
		return nil
	}}
	if h.one != nil { // made by Func: a run of untracked items is one loop
		p.pushRun = func(vs []T) error {
			emitRun(out, vs, h.one)
			if out.err != nil {
				return fmt.Errorf("handler %s: %w", h.name, out.err)
			}
			return nil
		}
	}
	return p
}

// Run runs the app; see stream.App.Run.
func (a *App) Run(ctx context.Context) error {
	return a.run(ctx, nil)
}

// errInterrupted aborts an app that was signalled twice.
var errInterrupted = errors.New("stream: interrupted twice; aborted without draining")

// run runs the app; it drains when ctx is done and aborts when abort is.
func (a *App) run(ctx context.Context, abort context.Context) error {
	a.mu.Lock()
	if a.ran {
		a.mu.Unlock()
		return errors.New("stream: App.Run called twice; an app runs once")
	}
	a.ran = true
	bindings := a.bindings
	a.mu.Unlock()
	defer a.stopped.Store(true)
	if err := a.startMonitor(); err != nil {
		return err
	}

	r := newRun(ctx, bindings)
	r.logger = a.Logger
	r.monitor = a.Monitor
	loops := make([][]func() error, len(bindings))
	for i, b := range bindings {
		for range b.copies {
			loops[i] = append(loops[i], b.wire(r))
		}
	}
	for i, b := range bindings {
		var live atomic.Int32
		live.Store(int32(b.copies))
		for _, loop := range loops[i] {
			r.spawn(func() error { // an error fails the run, and so every copy
				defer func() {
					if live.Add(-1) == 0 {
						close(b.done)
					}
				}()
				return loop()
			})
		}
	}
	if err := r.start(); err != nil {
		r.abort()
		return err
	}
	close(a.ready) // every source is subscribed and every loop running
	if abort != nil {
		defer context.AfterFunc(abort, func() { r.cancel(context.Cause(abort)) })()
	}
	stopWatch := context.AfterFunc(ctx, func() {
		r.stop()
		t := time.AfterFunc(a.DrainTimeout, func() {
			r.cancel(fmt.Errorf("stream: app did not drain within %v; aborted", a.DrainTimeout))
		})
		context.AfterFunc(r.ctx, func() { t.Stop() })
	})
	r.wait()
	stopWatch()
	err := r.err()
	r.abort() // ends the drain timer, if any
	return errors.Join(err, a.close(bindings, err != nil))
}

// close closes every source and sink that is a [Closer], once each, then runs
// the OnClose hooks; aborted says whether the app failed (see [Aborted]).
func (a *App) close(bindings []*binding, aborted bool) error {
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), abortedKey{}, aborted), a.DrainTimeout)
	defer cancel()
	var seen []any
	var errs []error
	closeOnce := func(v any) {
		c, ok := v.(Closer)
		if !ok {
			return
		}
		for _, s := range seen {
			if same(s, v) {
				return
			}
		}
		seen = append(seen, v)
		if err := c.Close(ctx); err != nil {
			a.Logger.Error("stream: close failed", "resource", Describe(v), "err", err)
			errs = append(errs, fmt.Errorf("closing %s: %w", Describe(v), err))
		}
	}
	for _, b := range bindings {
		for _, o := range b.origins {
			closeOnce(o.src)
		}
		for _, s := range b.sinks {
			closeOnce(s)
		}
	}
	a.mu.Lock()
	hooks := a.closers
	a.mu.Unlock()
	for _, f := range hooks {
		if err := f(ctx); err != nil {
			a.Logger.Error("stream: close hook failed", "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
