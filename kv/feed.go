package kv

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// An Entry is one key/value pair of a [Cache]: what the Cache takes as a
// [stream.Sink], and what its change feed yields as a [stream.Source].
//
// As a sink, the Cache stores Value under Key, or deletes Key when Deleted
// is set. On the change feed, an Entry is one write made through the Cache:
// a set, or a delete with Deleted set and Value the zero V. A handler that
// writes to a Cache returns entries:
//
//	stream.Handle(app, trades, stream.Func(func(t Trade) kv.Entry[string, float64] {
//		return kv.NewEntry(t.Symbol, t.Price)
//	}), prices)
type Entry[K, V any] struct {
	Key     K
	Value   V
	Deleted bool
}

// NewEntry returns the entry that sets key k to v.
func NewEntry[K, V any](k K, v V) Entry[K, V] {
	return Entry[K, V]{Key: k, Value: v}
}

// feedBuffer is how many writes a change-feed reader holds before the
// cache's writers wait for it.
const feedBuffer = 64

// A feed hands the writes made through a Cache to its subscriptions.
type feed[K, V any] struct {
	mu   sync.Mutex                            // serializes changes to subs
	subs atomic.Pointer[[]*subscription[K, V]] // copied on change; read by every write
	done chan struct{}                         // closed when the cache closes
	once sync.Once

	onSubscribe func() // if set, called after each subscription, for tests
}

func (f *feed[K, V]) init() { f.done = make(chan struct{}) }

func (f *feed[K, V]) close() { f.once.Do(func() { close(f.done) }) }

// publish hands e to every subscription, waiting while one's buffer is
// full, until that subscription stops, the cache closes or ctx is done.
// With no subscriptions it costs one atomic load.
func (f *feed[K, V]) publish(ctx context.Context, e Entry[K, V]) error {
	subs := f.subs.Load()
	if subs == nil {
		return nil
	}
	for _, s := range *subs {
		select {
		case s.ch <- e:
			continue
		default:
		}
		select {
		case s.ch <- e:
		case <-s.done:
		case <-f.done:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

func (f *feed[K, V]) subscribe(c *Cache[K, V], replay bool) *subscription[K, V] {
	s := &subscription[K, V]{c: c, replay: replay, ch: make(chan Entry[K, V], feedBuffer), done: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	var subs []*subscription[K, V]
	if p := f.subs.Load(); p != nil {
		subs = append(subs, *p...)
	}
	subs = append(subs, s)
	f.subs.Store(&subs)
	if f.onSubscribe != nil {
		f.onSubscribe()
	}
	return s
}

func (f *feed[K, V]) unsubscribe(s *subscription[K, V]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var subs []*subscription[K, V]
	for _, x := range *f.subs.Load() {
		if x != s {
			subs = append(subs, x)
		}
	}
	if len(subs) == 0 {
		f.subs.Store(nil)
	} else {
		f.subs.Store(&subs)
	}
	close(s.done)
}

// A subscription is one reader of a cache's change feed.
type subscription[K, V any] struct {
	c      *Cache[K, V]
	replay bool // start with the cache's contents
	ch     chan Entry[K, V]
	done   chan struct{} // closed once the reader has stopped
	once   sync.Once
}

// Send stores e in the cache, as [Cache.Set] does, or deletes e.Key if
// e.Deleted is set, so that the Cache is a [stream.Sink] of entries. Unlike
// Set, it stops waiting for a full change-feed reader when ctx is done.
func (c *Cache[K, V]) Send(ctx context.Context, e Entry[K, V]) error {
	if e.Deleted {
		return c.delete(ctx, e.Key)
	}
	return c.set(ctx, e.Key, e.Value)
}

// Subscribe registers a new reader of the cache's change feed and returns
// the source it reads from: every write made through the cache after
// Subscribe returns, in order, as an [Entry]. The app calls it for each
// handler bound to the cache as a source, before anything runs (see
// [streamio.Subscribable]), so that a handler bound before [stream.App.Run]
// sees every write that the app's handlers make, and every write made from
// outside the app once it is [stream.App.Ready].
//
// A reader holds up to 64 writes; while its buffer is full, writers to the
// cache wait for it. Its source ends when its context ends, after handing
// on what it holds: in an app where handlers write to the cache, once those
// handlers have ended, so that the app ends when its other sources do. It
// also ends when the cache is closed. Writes made directly to the store
// ([Cache.Store]), and range deletes, are not reported.
func (c *Cache[K, V]) Subscribe() stream.Source[Entry[K, V]] {
	return c.feed.subscribe(c, false)
}

// Feed reads the change feed through a new subscription, which misses the
// writes made before Feed starts: bind the cache with [stream.Handle]
// instead, which subscribes before anything runs.
func (c *Cache[K, V]) Feed(ctx context.Context, w *stream.Writer[Entry[K, V]]) error {
	return c.Subscribe().Feed(ctx, w)
}

// Replay returns a source that yields, for each reader, the cache's
// contents in key order, then its change feed, as [Cache.Subscribe] does:
// a reader that starts from a snapshot and then follows the updates, such
// as a server streaming a table to a client. A write made while the reader
// starts may show both in the contents and as a change; nothing is missed.
// While a reader hands on the contents, it buffers the writes made
// meanwhile, and writers wait once it holds 64.
//
// Like the cache itself, a Replay source ends once the handlers of its app
// that write to the cache have ended (it is a [streamio.Origin]); with no such
// handlers, it runs until the app stops.
func (c *Cache[K, V]) Replay() streamio.Subscribable[Entry[K, V]] { return replay[K, V]{c} }

type replay[K, V any] struct{ c *Cache[K, V] }

func (r replay[K, V]) Subscribe() stream.Source[Entry[K, V]] { return r.c.feed.subscribe(r.c, true) }

func (r replay[K, V]) Feed(ctx context.Context, w *stream.Writer[Entry[K, V]]) error {
	return r.Subscribe().Feed(ctx, w)
}

// Origin returns the cache: the app stops the replay once the handlers that
// write to the cache have ended.
func (r replay[K, V]) Origin() any { return r.c }

// String describes the source as the cache's replay.
func (r replay[K, V]) String() string { return r.c.String() + ".Replay" }

// Feed writes the cache's contents if asked, then every write the
// subscription receives, until ctx is done or the cache closes; it then
// writes what it still holds and returns.
func (s *subscription[K, V]) Feed(ctx context.Context, w *stream.Writer[Entry[K, V]]) error {
	defer s.stop()
	if s.replay {
		if err := s.writeContents(ctx, w); err != nil {
			return s.stopped(ctx, w, err)
		}
	}
	for {
		var e Entry[K, V]
		select {
		case e = <-s.ch:
		default:
			if err := w.Flush(ctx); err != nil {
				return s.stopped(ctx, w, err)
			}
			select {
			case e = <-s.ch:
			case <-ctx.Done():
				return s.stopped(ctx, w, nil)
			case <-s.c.feed.done:
				return s.stopped(ctx, w, nil)
			}
		}
		if err := w.Add(ctx, e); err != nil {
			if ctx.Err() == nil {
				return err
			}
			// Asked to stop while e waited for room downstream: hand it
			// on with what is still buffered.
			s.stop()
			if err := w.Add(context.Background(), e); err != nil {
				return err
			}
			return s.drain(w)
		}
	}
}

// stop ends the subscription: writers no longer wait for it.
func (s *subscription[K, V]) stop() {
	s.once.Do(func() { s.c.feed.unsubscribe(s) })
}

// stopped handles the end of Feed on err: when it comes from ctx being done
// (or when err is nil), the subscription stops and hands on what it holds;
// any other error fails Feed.
func (s *subscription[K, V]) stopped(ctx context.Context, w *stream.Writer[Entry[K, V]], err error) error {
	if err != nil && ctx.Err() == nil {
		return err
	}
	s.stop()
	return s.drain(w)
}

// writeContents writes the cache's current contents, from a snapshot.
func (s *subscription[K, V]) writeContents(ctx context.Context, w *stream.Writer[Entry[K, V]]) error {
	snap, err := s.c.Snapshot()
	if err != nil {
		return err
	}
	defer snap.Close()
	it := snap.Iter()
	for k, v := range it.Items() {
		if err := w.Add(ctx, Entry[K, V]{Key: k, Value: v}); err != nil {
			return err
		}
	}
	return it.Err()
}

// drain writes the entries the subscription holds once its writers are
// done.
func (s *subscription[K, V]) drain(w *stream.Writer[Entry[K, V]]) error {
	ctx := context.Background() // the app's abort still ends the writer
	for {
		select {
		case e := <-s.ch:
			if err := w.Add(ctx, e); err != nil {
				return err
			}
		default:
			return w.Flush(ctx)
		}
	}
}

// String describes the subscription as the cache it reads.
func (s *subscription[K, V]) String() string { return s.c.String() }
