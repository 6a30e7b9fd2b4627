package kafka

import (
	"context"
	"errors"
	"iter"
	"sync"

	"github.com/slipstream-go/slipstream/stream"
)

// Messages returns an iterator over the topic's messages, read as one
// consumer of its group. It reads until ctx is done, the loop breaks, or
// reading fails, in which case it yields the error last:
//
//	for msg, err := range topic.Messages(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(msg.Key, msg.Value)
//	}
//
// A message counts as handled once the loop body has run for it, even if
// the body then breaks out of the loop; its offset is committed after that,
// so a program that stops or crashes in the middle of a message reads it
// again when it restarts (at-least-once). The consumer is closed, and
// handled offsets committed, before the loop ends.
//
// To read a topic with handlers, sinks and pausing, bind it in a
// [stream.App] instead.
func (t *Topic[K, V]) Messages(ctx context.Context) iter.Seq2[Message[K, V], error] {
	return func(yield func(Message[K, V], error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type item struct {
			m       Message[K, V]
			handled chan struct{}
		}
		items := make(chan item)
		stopped := make(chan struct{}) // the loop has ended
		src := &ownFeed[K, V]{t: t}
		app := stream.NewApp(stream.WithLogger(t.logger))
		stream.Handle(app, stream.Source[Message[K, V]](src), stream.DoErr(func(hctx context.Context, m Message[K, V]) error {
			it := item{m: m, handled: make(chan struct{})}
			select {
			case items <- it:
			case <-stopped:
				return errLoopEnded // not handled: not accepted
			case <-hctx.Done():
				return context.Cause(hctx)
			}
			<-it.handled // the loop body has run: accepted on return
			return nil
		}).Named("kafka.Topic.Messages"))
		result := make(chan error, 1)
		go func() { result <- app.Run(ctx) }()
		for {
			select {
			case it := <-items:
				more := yield(it.m, nil)
				close(it.handled)
				if more {
					continue
				}
				close(stopped)
				cancel()
				if err := <-result; err != nil && !errors.Is(err, errLoopEnded) {
					t.logger.Error("kafka: reading failed", "err", err)
				}
				return
			case err := <-result:
				if err != nil && !errors.Is(err, errLoopEnded) && ctx.Err() == nil {
					yield(Message[K, V]{}, err)
				}
				return
			case <-ctx.Done():
				close(stopped)
				<-result
				return
			}
		}
	}
}

var errLoopEnded = errors.New("kafka: Messages loop ended")

// An ownFeed reads a topic for [Topic.Messages] and closes only the
// consumers it made, leaving the topic's producer alone.
type ownFeed[K, V any] struct {
	t         *Topic[K, V]
	mu        sync.Mutex
	consumers []*consumer[K, V]
}

func (f *ownFeed[K, V]) Feed(ctx context.Context, w *stream.Writer[Message[K, V]]) error {
	return f.t.feed(ctx, w, func(c *consumer[K, V]) {
		f.mu.Lock()
		f.consumers = append(f.consumers, c)
		f.mu.Unlock()
	})
}

func (f *ownFeed[K, V]) Close(ctx context.Context) error {
	f.mu.Lock()
	consumers := f.consumers
	f.consumers = nil
	f.mu.Unlock()
	var errs []error
	for _, c := range consumers {
		f.t.forget(c)
		errs = append(errs, c.close(ctx))
	}
	return errors.Join(errs...)
}

func (f *ownFeed[K, V]) String() string { return f.t.String() }

// forget removes c from the topic's consumers.
func (t *Topic[K, V]) forget(c *consumer[K, V]) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, x := range t.consumers {
		if x == c {
			t.consumers = append(t.consumers[:i:i], t.consumers[i+1:]...)
			return
		}
	}
}
