package kafkabench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// runTimeout bounds one run, so that a stuck client fails the benchmark
// instead of hanging it.
const runTimeout = 5 * time.Minute

// A run is one run of one side. start moves the messages and returns once
// the program would end, its client closed; it calls began and ended where
// the timed part begins and ends. check, called after the run, checks the
// outcome and frees what the run used.
type run struct {
	start func(ctx context.Context, m *marks) error
	check func() error
}

// marks are the moments a run's timed part begins and ends, each a channel
// closed once.
type marks struct {
	began, ended chan struct{}
	b, e         sync.Once
}

func newMarks() *marks {
	return &marks{began: make(chan struct{}), ended: make(chan struct{})}
}

func (m *marks) begin() { m.b.Do(func() { close(m.began) }) }
func (m *marks) end()   { m.e.Do(func() { close(m.ended) }) }

// drive runs r on a new goroutine and calls begin and end, on the calling
// goroutine, as the run reaches its marks; it returns the run's error.
func drive(ctx context.Context, r *run, begin, end func()) error {
	m := newMarks()
	errc := make(chan error, 1)
	go func() { errc <- r.start(ctx, m) }()
	for _, mark := range []struct {
		ch chan struct{}
		f  func()
	}{{m.began, begin}, {m.ended, end}} {
		select {
		case <-mark.ch:
		case err := <-errc:
			select {
			case <-mark.ch: // reached as the run returned
				errc <- err
			default:
				if err == nil {
					err = errors.New("kafkabench: the run ended before its timed part did")
				}
				return err
			}
		}
		mark.f()
	}
	return <-errc
}

// A prepare makes what a run of n messages needs, outside the timer.
type prepare func(b broker, n int) (*run, error)

// timed prepares a run of n messages, collects the garbage of what ran
// before it, drives it (calling begin and end at its marks, as drive does)
// and checks it. Every run of every harness goes through here, so that
// each starts from the same state: go test collects garbage before each
// benchmark run, but not between the runs of one, and a run that meets
// the garbage of the run before (a consumer leaves about 40 MB of it per
// 50,000 messages) pays for it.
func timed(br broker, p prepare, n int, begin, end func()) error {
	r, err := p(br, n)
	if err != nil {
		return err
	}
	runtime.GC()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	err = drive(ctx, r, begin, end)
	if cerr := r.check(); err == nil {
		err = cerr
	}
	return err
}

// warmed records, by benchmark name, the broker against which its untimed
// first runs were made.
var (
	warmMu sync.Mutex
	warmed = map[string]broker{}
)

// warmUp makes one untimed run of n ops of each of ps, the first time the
// benchmark called name runs against br. A process's first Kafka
// runs of a kind are 15 to 30 % slower than the next ones (its heap,
// librdkafka's and the broker's buffers grow to their size), which would
// otherwise be charged to whichever side happens to run first.
func warmUp(name string, br broker, n int, ps ...prepare) error {
	warmMu.Lock()
	defer warmMu.Unlock()
	if warmed[name] == br {
		return nil
	}
	for _, p := range ps {
		if err := timed(br, p, n, func() {}, func() {}); err != nil {
			return fmt.Errorf("kafkabench: warming up %s: %w", name, err)
		}
	}
	warmed[name] = br
	return nil
}
