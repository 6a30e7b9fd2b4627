package stream

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/slipstream-go/slipstream/internal/flow"
)

// An App binds sources to handlers and sinks with [Handle], and runs them all
// with [App.Run]. Apps are values: several can live, and run, in one process.
type App struct {
	app *flow.App
}

// An Option configures an [App].
type Option func(*App)

// WithLogger sets the app's logger; the default is [slog.Default].
func WithLogger(l *slog.Logger) Option { return func(a *App) { a.app.Logger = l } }

// WithDrainTimeout bounds how long the app drains once its context is
// cancelled, and how long it waits for its resources to close; after that it
// aborts. The default is 30 seconds.
func WithDrainTimeout(d time.Duration) Option { return func(a *App) { a.app.DrainTimeout = d } }

// NewApp returns an app with nothing bound to it yet.
func NewApp(opts ...Option) *App {
	a := &App{flow.NewApp()}
	for _, o := range opts {
		o(a)
	}
	return a
}

// OnClose registers f to run when the app has stopped, after every handler
// has ended and its sources and sinks are closed, with a context that
// bounds how long it may take. Hooks run in the order they were registered;
// their errors are logged and returned by [App.Run].
func (a *App) OnClose(f func(context.Context) error) { a.app.OnClose(f) }

// Handle binds handler h to src: when app runs, each item of src goes
// through h, in order, and each output h makes goes to every sink, in sink
// order, before h makes the next. To bind several sources to one handler,
// [Merge] them. A handler made [Handler.Parallel] runs as several copies,
// each with its own share of src's partitions, each in order.
//
// Handle panics if app is running or has run, if src is a [Stream] that
// something else already reads, or if h is parallel and src cannot be read
// by several copies (its message says why).
func Handle[T, U any](app *App, src Source[T], h Handler[T, U], sinks ...Sink[U]) {
	if app == nil {
		panic("stream.Handle: app is nil")
	}
	fh := flow.Handler[T, U](h)
	if !fh.Valid() {
		panic("stream.Handle: h is the zero Handler; make one with Func, Yield, Do, ...")
	}
	out := make([]flow.Sink[U], len(sinks))
	for i, s := range sinks {
		if s == nil {
			panic(fmt.Sprintf("stream.Handle: sinks[%d] is nil", i))
		}
		out[i] = s
	}
	flow.Handle(app.app, input(src, "handler "+fh.Name()), fh, out...)
}

// Run runs every handler bound to the app, each source read concurrently,
// until every finite source is exhausted and its items handled, or ctx is
// cancelled. Once ctx is cancelled the app drains: sources stop reading, the
// items already read finish their way to the sinks, and the app closes its
// resources. The first error from a handler, source or sink aborts the app:
// every goroutine ends and Run returns the error, naming where it happened.
// Run returns nil after a clean end or drain. An app runs once.
func (a *App) Run(ctx context.Context) error { return a.app.Run(ctx) }

// Ready returns a channel that is closed once [App.Run] has started the
// app: every source bound to it is subscribed and every handler runs. So
// code outside the app that sends to a [Proxy], or writes to a Cache, that
// handlers of the app read loses nothing it sends once Ready is closed:
// each of those handlers sees every such message, until the app stops
// reading (its context is cancelled). The channel is never closed if Run
// fails before it starts the app (an invalid plan, a second Run): wait for
// it together with Run's result.
func (a *App) Ready() <-chan struct{} { return a.app.Ready() }

// RunUntilSignal runs the app like [App.Run] until ctx is cancelled or the
// process receives SIGINT or SIGTERM (Ctrl-C, or a container being stopped).
// The first signal drains the app; a second aborts it at once.
func (a *App) RunUntilSignal(ctx context.Context) error { return a.app.RunUntilSignal(ctx) }
