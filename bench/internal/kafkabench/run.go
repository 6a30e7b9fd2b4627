package kafkabench

import (
	"context"
	"errors"
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
