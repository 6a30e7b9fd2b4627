package stream

import (
	"context"
	"sync"

	"github.com/slipstream-go/slipstream/internal/ack"
	"github.com/slipstream-go/slipstream/internal/flow"
)

// proxyBuffer is how many messages a Proxy subscriber holds before the
// proxy's senders wait for it.
const proxyBuffer = 64

// A Proxy passes messages between handlers in one process: it is a [Sink] on
// one side and a [Source] on the other. Every handler bound to the proxy as a
// source before [App.Run] receives, in order, every message that the app's
// handlers send to it, and every message sent from outside the app once the
// app is [App.Ready]; messages sent while no handler reads it are dropped.
// The slowest reader sets the pace of the senders.
//
// A message counts as delivered once every reader has delivered what it made
// of it, so a Kafka offset is committed only after the proxy's readers are
// done with the message.
//
// A proxy that handlers of its app write to ends once those handlers have
// ended; one fed only from outside the app runs until the app stops.
//
// A handler may send to a proxy it reads, directly or through other
// handlers: a cycle, which runs until the app stops. Every buffer on the
// way is bounded and a reader runs its handler in its own goroutine, so
// the cycle must send back less than it reads; one that keeps the proxy's
// buffer full waits on itself. [Async] after the proxy adds slack, not
// room for growth.
type Proxy[T any] struct {
	mu   sync.Mutex
	subs []*proxySub[T]
}

// NewProxy returns a proxy with no readers.
func NewProxy[T any]() *Proxy[T] { return &Proxy[T]{} }

type proxyMsg[T any] struct {
	v     T
	token *ack.Token // the message's delivery, shared by every reader; nil if untracked
}

type proxySub[T any] struct {
	p      *Proxy[T]
	ch     chan proxyMsg[T]
	closed chan struct{} // closed when the reader has stopped
}

// Subscribe registers a new reader and returns the source it reads from. The
// app calls it for each handler bound to the proxy before anything runs (see
// streamio.Subscribable).
func (p *Proxy[T]) Subscribe() Source[T] {
	s := &proxySub[T]{p: p, ch: make(chan proxyMsg[T], proxyBuffer), closed: make(chan struct{})}
	p.mu.Lock()
	p.subs = append(p.subs, s)
	p.mu.Unlock()
	return s
}

// Feed reads the proxy through a new subscription. It misses what was sent
// before it started: bind the proxy with [Handle] or a combinator instead,
// which subscribe before anything runs.
func (p *Proxy[T]) Feed(ctx context.Context, w *Writer[T]) error {
	return p.Subscribe().Feed(ctx, w)
}

// Send sends v to every reader, waiting while a reader's buffer is full.
func (p *Proxy[T]) Send(ctx context.Context, v T) error {
	return p.send(ctx, v, nil)
}

// SendAsync sends v to every reader and calls done once every reader has
// delivered what it made of v (see streamio.AsyncSink).
func (p *Proxy[T]) SendAsync(ctx context.Context, v T, done func(error)) error {
	return p.send(ctx, v, done)
}

func (p *Proxy[T]) send(ctx context.Context, v T, done func(error)) error {
	p.mu.Lock()
	subs := p.subs
	p.mu.Unlock()
	var t *ack.Token
	if done != nil {
		t = ack.New(func() { done(nil) })
	}
	for _, s := range subs {
		t.Derive(1)
		m := proxyMsg[T]{v: v, token: t}
		select {
		case s.ch <- m:
		case <-s.closed: // the reader has stopped: it will never deliver
			t.Done()
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	t.Done()
	return nil
}

// String returns "Proxy".
func (p *Proxy[T]) String() string { return "Proxy" }

func (p *Proxy[T]) unsubscribe(s *proxySub[T]) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.subs {
		if x == s {
			p.subs = append(p.subs[:i:i], p.subs[i+1:]...)
			break
		}
	}
	close(s.closed)
}

// Feed writes the subscription's messages to w until ctx is done, then
// writes what is still buffered and returns.
func (s *proxySub[T]) Feed(ctx context.Context, w *Writer[T]) error {
	defer s.p.unsubscribe(s)
	for {
		var m proxyMsg[T]
		select {
		case m = <-s.ch:
		default:
			if err := w.Flush(ctx); err != nil {
				return err
			}
			select {
			case m = <-s.ch:
			case <-ctx.Done():
				return s.drain(w)
			}
		}
		if err := s.write(ctx, w, m); err != nil {
			return err
		}
	}
}

// drain writes the messages still buffered once the proxy's senders are done.
func (s *proxySub[T]) drain(w *Writer[T]) error {
	ctx := context.Background() // the app's abort still ends the writer
	for {
		select {
		case m := <-s.ch:
			if err := s.write(ctx, w, m); err != nil {
				return err
			}
		default:
			return w.Flush(ctx)
		}
	}
}

func (s *proxySub[T]) write(ctx context.Context, w *Writer[T], m proxyMsg[T]) error {
	if m.token != nil {
		return (*flow.Writer[T])(w).AddTracked(ctx, m.v, m.token, 0)
	}
	return w.Add(ctx, m.v)
}

func (s *proxySub[T]) String() string { return "Proxy" }
