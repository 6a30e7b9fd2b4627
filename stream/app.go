package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slipstream-go/slipstream/internal/ack"
)

// An App binds sources to handlers and sinks with [Handle], and runs them all
// with [App.Run]. Apps are values: several can live, and run, in one process.
type App struct {
	logger       *slog.Logger
	drainTimeout time.Duration

	mu       sync.Mutex
	bindings []*binding
	closers  []func(context.Context) error
	ran      bool
}

// An Option configures an [App].
type Option func(*App)

// WithLogger sets the app's logger; the default is [slog.Default].
func WithLogger(l *slog.Logger) Option { return func(a *App) { a.logger = l } }

// WithDrainTimeout bounds how long the app drains once its context is
// cancelled, and how long it waits for its resources to close; after that it
// aborts. The default is 30 seconds.
func WithDrainTimeout(d time.Duration) Option { return func(a *App) { a.drainTimeout = d } }

// NewApp returns an app with nothing bound to it yet.
func NewApp(opts ...Option) *App {
	a := &App{logger: slog.Default(), drainTimeout: 30 * time.Second}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Logger returns the app's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

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
	name    string
	origins []origin
	sinks   []any
	run     func(r *run) func() error // builds the binding's stages, returns its loop
	done    chan struct{}             // closed when the loop has returned
}

func (b *binding) writesTo(src any) bool {
	for _, s := range b.sinks {
		if same(s, src) {
			return true
		}
	}
	return false
}

// Handle binds handler h to src: when app runs, each item of src goes
// through h, in order, and each output h makes goes to every sink, in sink
// order, before h makes the next. To bind several sources to one handler,
// [Merge] them.
//
// Handle panics if app is running or has run, or if src is a [Stream] that
// something else already reads.
func Handle[T, U any](app *App, src Source[T], h Handler[T, U], sinks ...Sink[U]) {
	if app == nil {
		panic("stream.Handle: app is nil")
	}
	if h.fn == nil {
		panic("stream.Handle: h is the zero Handler; make one with Func, Yield, Do, ...")
	}
	for i, s := range sinks {
		if s == nil {
			panic(fmt.Sprintf("stream.Handle: sinks[%d] is nil", i))
		}
	}
	in := input(src, "handler "+h.name)
	b := &binding{name: h.name, origins: in.origins, done: make(chan struct{})}
	for _, s := range sinks {
		b.sinks = append(b.sinks, s)
	}
	b.run = func(r *run) func() error {
		out := newEmitter(r, sinks)
		loop := in.wire(r, handlerPusher(r, h, out))
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

// Run runs every handler bound to the app, each source read concurrently,
// until every finite source is exhausted and its items handled, or ctx is
// cancelled. Once ctx is cancelled the app drains: sources stop reading, the
// items already read finish their way to the sinks, and the app closes its
// resources. The first error from a handler, source or sink aborts the app:
// every goroutine ends and Run returns the error, naming where it happened.
// Run returns nil after a clean end or drain. An app runs once.
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

	r := newRun(ctx, bindings)
	loops := make([]func() error, len(bindings))
	for i, b := range bindings {
		loops[i] = b.run(r)
	}
	for i, b := range bindings {
		r.spawn(func() error {
			defer close(b.done)
			return loops[i]()
		})
	}
	if err := r.start(); err != nil {
		r.abort()
		return err
	}
	if abort != nil {
		defer context.AfterFunc(abort, func() { r.cancel(context.Cause(abort)) })()
	}
	stopWatch := context.AfterFunc(ctx, func() {
		r.stop()
		t := time.AfterFunc(a.drainTimeout, func() {
			r.cancel(fmt.Errorf("stream: app did not drain within %v; aborted", a.drainTimeout))
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
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), abortedKey{}, aborted), a.drainTimeout)
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
			a.logger.Error("stream: close failed", "resource", describe(v), "err", err)
			errs = append(errs, fmt.Errorf("closing %s: %w", describe(v), err))
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
			a.logger.Error("stream: close hook failed", "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
