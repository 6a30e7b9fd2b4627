package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// progress counts what the demo has sent and counted, and shows it with
// the consumer group's lag on the broker (from the app's metrics): on a
// terminal as a bar of the run's time, with the figures beside it, redrawn
// four times a second, the counts printed above it; elsewhere the figures
// follow each line of counts.
type progress struct {
	sent, counted atomic.Int64
	reg           prometheus.Gatherer // the consumer's metrics: its lag

	mu     sync.Mutex // over what follows
	last   time.Time  // when figures last measured the rates
	lastIn int64
	lastOK int64
	bars   *mpb.Progress // on a terminal, while it runs
	bar    *mpb.Bar
}

// start draws the progress bar, on a terminal, until the returned function
// is called.
func (p *progress) start(cfg config) (stop func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = time.Now()
	if !cfg.Live {
		return func() {}
	}
	total := cfg.Duration.Milliseconds()
	p.bars = mpb.New(mpb.WithOutput(cfg.Out), mpb.WithRefreshRate(250*time.Millisecond), mpb.WithWidth(24))
	p.bar = p.bars.AddBar(total,
		mpb.PrependDecorators(decor.Elapsed(decor.ET_STYLE_GO, decor.WC{W: 4})),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			p.mu.Lock()
			defer p.mu.Unlock()
			return p.figures()
		})),
		mpb.BarRemoveOnComplete())
	bar, started, done := p.bar, time.Now(), make(chan struct{})
	go func() { // the bar shows the time the producer runs
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				bar.SetCurrent(min(time.Since(started).Milliseconds(), total-1))
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			bar.Abort(true)
			p.bars.Wait()
			p.mu.Lock()
			p.bars = nil
			p.mu.Unlock()
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

// println prints line above the progress bar, or with the figures on its
// own when there is no bar.
func (p *progress) println(cfg config, line string) {
	p.mu.Lock()
	var out io.Writer = cfg.Out
	if p.bars != nil {
		out = p.bars // not under mu: the bar's figures take it to redraw
	} else {
		line += "   (" + p.figures() + ")"
	}
	p.mu.Unlock()
	fmt.Fprintln(out, line)
}

// figures returns the rates since it was last called, and the lag.
func (p *progress) figures() string {
	now, sent, counted := time.Now(), p.sent.Load(), p.counted.Load()
	rate := func(n, last int64) float64 {
		if secs := now.Sub(p.last).Seconds(); secs > 0 {
			return float64(n-last) / secs
		}
		return 0
	}
	lag := "?" // until the consumer's first statistics
	if n, ok := consumerLag(p.reg, "emoji"); ok {
		lag = fmt.Sprint(n)
	}
	s := fmt.Sprintf("in %4.0f msg/s  out %4.0f msg/s  lag %s  (sent %d, counted %d)",
		rate(sent, p.lastIn), rate(counted, p.lastOK), lag, sent, counted)
	p.last, p.lastIn, p.lastOK = now, sent, counted
	return s
}

// consumerLag returns the consumer group's lag on topic, summed over the
// partitions, as the broker has it (slipstream_consumer_lag), and false
// when the metrics have none yet.
func consumerLag(reg prometheus.Gatherer, topic string) (int64, bool) {
	if reg == nil {
		return 0, false
	}
	mfs, err := reg.Gather()
	if err != nil {
		return 0, false
	}
	var lag float64
	found := false
	for _, mf := range mfs {
		if mf.GetName() != "slipstream_consumer_lag" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "topic" && l.GetValue() == topic {
					lag += m.GetGauge().GetValue()
					found = true
				}
			}
		}
	}
	return int64(lag), found
}

// isTerminal reports whether f is a terminal, not a file, a pipe or a
// device such as /dev/null.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
