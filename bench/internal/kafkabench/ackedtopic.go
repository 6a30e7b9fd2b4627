package kafkabench

import (
	"context"
	"sync/atomic"

	"github.com/slipstream-go/slipstream/kafka"
)

// An ackedTopic is a Topic sink that calls last once it has had n
// messages acknowledged. Embedding the Topic keeps what the app sees of it:
// a BatchSink, and a Closer that the app closes when it stops.
type ackedTopic struct {
	*kafka.Topic[string, []byte]
	left atomic.Int64
	last func()
}

func newAckedTopic(t *kafka.Topic[string, []byte], n int, last func()) *ackedTopic {
	a := &ackedTopic{Topic: t, last: last}
	a.left.Store(int64(n))
	return a
}

// SendAsync sends m through the Topic, counting its acknowledgement.
func (a *ackedTopic) SendAsync(ctx context.Context, m kafka.Message[string, []byte], done func(error)) error {
	return a.Topic.SendAsync(ctx, m, a.counted(done))
}

// SendBatch sends ms through the Topic, as the app does, counting their
// acknowledgements. Untracked outputs keep sharing one done function (nil
// in dones), so the Topic counts them in runs as it does without the
// wrapper.
func (a *ackedTopic) SendBatch(ctx context.Context, ms []kafka.Message[string, []byte], dones []func(error), untracked func(error)) error {
	counted := make([]func(error), len(dones))
	for i, done := range dones {
		if done != nil {
			counted[i] = a.counted(done)
		}
	}
	return a.Topic.SendBatch(ctx, ms, counted, a.counted(untracked))
}

// counted returns done, counting an acknowledgement before it returns.
func (a *ackedTopic) counted(done func(error)) func(error) {
	return func(err error) {
		done(err)
		if err == nil && a.left.Add(-1) == 0 {
			a.last()
		}
	}
}

// Send sends m through SendAsync, for the rare caller that uses a Sink's
// Send: the app uses SendAsync.
func (a *ackedTopic) Send(ctx context.Context, m kafka.Message[string, []byte]) error {
	errc := make(chan error, 1)
	if err := a.SendAsync(ctx, m, func(err error) { errc <- err }); err != nil {
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
