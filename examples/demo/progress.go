package main

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// progress counts what the demo has sent and counted, and shows it: on a
// terminal as one line redrawn four times a second, elsewhere as a plain log
// line each time the counts are printed.
type progress struct {
	sent, counted atomic.Int64

	mu     sync.Mutex // one writer at a time
	drawn  bool       // a progress line is on screen
	last   time.Time
	lastIn int64
	lastOK int64
}

// start draws the progress line until the returned function is called.
func (p *progress) start(cfg config) (stop func()) {
	p.mu.Lock()
	p.last = time.Now()
	p.mu.Unlock()
	if !cfg.Live {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw(cfg)
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-finished
			p.mu.Lock()
			defer p.mu.Unlock()
			p.clear(cfg)
		})
	}
}

// waitCaughtUp waits until everything sent has been counted, the consumer
// has stopped (its error is put back on consumed), or limit has passed.
func (p *progress) waitCaughtUp(consumed chan error, limit time.Duration) {
	deadline := time.Now().Add(limit)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for p.counted.Load() < p.sent.Load() && time.Now().Before(deadline) {
		select {
		case err := <-consumed:
			consumed <- err
			return
		case <-t.C:
		}
	}
}

// println prints line above the progress line, or with the figures on its
// own when there is no progress line.
func (p *progress) println(cfg config, line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear(cfg)
	if !cfg.Live {
		line += "   (" + p.figures() + ")"
	}
	fmt.Fprintln(cfg.Out, line)
}

func (p *progress) draw(cfg config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(cfg.Out, "\r\033[K%s", p.figures())
	p.drawn = true
}

func (p *progress) clear(cfg config) {
	if p.drawn {
		fmt.Fprint(cfg.Out, "\r\033[K")
		p.drawn = false
	}
}

// figures returns the rates since it was last called and the lag.
func (p *progress) figures() string {
	now, sent, counted := time.Now(), p.sent.Load(), p.counted.Load()
	secs := now.Sub(p.last).Seconds()
	if p.last.IsZero() {
		secs = 0
	}
	rate := func(n, last int64) float64 {
		if secs == 0 {
			return 0
		}
		return float64(n-last) / secs
	}
	s := fmt.Sprintf("in %6.0f msg/s  out %6.0f msg/s  lag %d  (sent %d, counted %d)",
		rate(sent, p.lastIn), rate(counted, p.lastOK), max(sent-counted, 0), sent, counted)
	p.last, p.lastIn, p.lastOK = now, sent, counted
	return s
}

// isTerminal reports whether f is a terminal rather than a file or a pipe.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
