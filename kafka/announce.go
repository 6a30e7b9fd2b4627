package kafka

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// An announcer tells a consumer's PartitionListeners of the partitions it
// is given, in the background: a listener may take long (a table restores
// a partition's state), and meanwhile the consumer goes on with the
// partitions it had. Until the listeners have returned, the new partitions
// stay paused in librdkafka and out of offsets.assigned, so none of their
// messages is read; the poller resumes them once told (see
// poller.resumeAnnounced).
type announcer struct {
	ctx       context.Context // the Feed's: ends every announcement
	listeners []PartitionListener
	topic     string

	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[int32]*announcement // by partition, until finished and taken
	done    []announced             // finished, for the poller to take
	ready   atomic.Int32            // len(done), read without mu
}

// An announcement tells the listeners of one assignment.
type announcement struct {
	cancel   context.CancelFunc
	finished chan struct{}
}

// announced is a finished announcement: its partitions, and the error of a
// listener, if any.
type announced struct {
	parts []int32
	err   error
	an    *announcement
}

// start tells the listeners, in the background, that the consumer was
// given parts: of each partition on its own, so that each may be read as
// soon as its own listeners have returned.
func (a *announcer) start(parts []int32) {
	for _, p := range parts {
		a.startOne([]int32{p})
	}
}

func (a *announcer) startOne(parts []int32) {
	ctx, cancel := context.WithCancel(a.ctx)
	an := &announcement{cancel: cancel, finished: make(chan struct{})}
	a.mu.Lock()
	if a.running == nil {
		a.running = make(map[int32]*announcement)
	}
	for _, p := range parts {
		a.running[p] = an
	}
	a.mu.Unlock()
	a.wg.Go(func() {
		defer cancel()
		err := a.tell(ctx, parts)
		a.mu.Lock()
		a.done = append(a.done, announced{parts: parts, err: err, an: an})
		a.ready.Store(int32(len(a.done)))
		a.mu.Unlock()
		close(an.finished)
	})
}

// tell tells each listener of parts, in turn.
func (a *announcer) tell(ctx context.Context, parts []int32) error {
	for _, l := range a.listeners {
		if err := l.Assigned(ctx, parts); err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx) // revoked, or the Feed ended, meanwhile
			}
			return fmt.Errorf("kafka: topic %s: partitions %v assigned: %w", a.topic, parts, err)
		}
	}
	return nil
}

// forget ends the announcements of parts, which the consumer gives up, and
// waits for them, so that the listeners hear of the revocation after the
// assignment.
func (a *announcer) forget(parts []int32) {
	for _, p := range parts {
		a.mu.Lock()
		an := a.running[p]
		delete(a.running, p)
		a.mu.Unlock()
		if an != nil {
			an.cancel()
			<-an.finished
		}
	}
}

// take returns the announcements finished since the last take.
func (a *announcer) take() []announced {
	if a.ready.Load() == 0 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	done := a.done
	a.done = nil
	a.ready.Store(0)
	for _, d := range done {
		for _, p := range d.parts {
			if a.running[p] == d.an {
				delete(a.running, p)
			}
		}
	}
	return done
}

// stop ends every announcement and waits for them.
func (a *announcer) stop() {
	a.mu.Lock()
	for _, an := range a.running {
		an.cancel()
	}
	a.mu.Unlock()
	a.wg.Wait()
}
