package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"time"
)

// A sample is the process's memory at one moment.
type sample struct {
	at       time.Duration // since the start
	handled  int64         // messages handled so far
	rate     float64       // messages a second since the sample before
	rss      uint64        // VmRSS
	goMapped uint64        // what the Go runtime holds, less what it released to the OS
	heapLive uint64        // the heap live after the last collection
	cInUse   uint64        // malloc'd and not freed: librdkafka's memory in use
	cFree    uint64        // free in malloc's arenas, still held
	gos      uint64        // goroutines
}

// other returns the resident memory that is not Go's: librdkafka's C
// allocations, the program's text, thread stacks.
func (s sample) other() int64 { return int64(s.rss) - int64(s.goMapped) }

// A sampler takes samples, prints each as a row, and keeps them for the
// summary.
type sampler struct {
	w       io.Writer
	handled *atomic.Int64
	start   time.Time
	samples []sample
	metrics []metrics.Sample
}

func newSampler(w io.Writer, handled *atomic.Int64) *sampler {
	s := &sampler{w: w, handled: handled, start: time.Now()}
	for _, name := range []string{
		"/memory/classes/total:bytes",
		"/memory/classes/heap/released:bytes",
		"/gc/heap/live:bytes",
		"/sched/goroutines:goroutines",
	} {
		s.metrics = append(s.metrics, metrics.Sample{Name: name})
	}
	return s
}

const mib = 1 << 20

func (s *sampler) header() {
	fmt.Fprintf(s.w, "%8s %10s %9s %8s %8s %9s %9s %9s %9s %6s\n",
		"elapsed", "msgs/s", "handled", "RSS MiB", "Go MiB", "live MiB", "other MiB", "C in use", "C free", "gorout")
}

// sample takes a sample and prints it.
func (s *sampler) sample() {
	now := sample{at: time.Since(s.start).Round(time.Second), handled: s.handled.Load(), rss: vmRSS()}
	metrics.Read(s.metrics)
	v := func(i int) uint64 {
		if s.metrics[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s.metrics[i].Value.Uint64()
	}
	now.goMapped, now.heapLive, now.gos = v(0)-v(1), v(2), v(3)
	now.cInUse, now.cFree = cHeap()
	last := sample{}
	if n := len(s.samples); n > 0 {
		last = s.samples[n-1]
	}
	if d := (now.at - last.at).Seconds(); d > 0 {
		now.rate = float64(now.handled-last.handled) / d
	}
	s.samples = append(s.samples, now)
	fmt.Fprintf(s.w, "%8v %10.0f %8.1fM %8.1f %8.1f %9.1f %9.1f %9.1f %9.1f %6d\n",
		now.at, now.rate, float64(now.handled)/1e6, float64(now.rss)/mib, float64(now.goMapped)/mib,
		float64(now.heapLive)/mib, float64(now.other())/mib, float64(now.cInUse)/mib, float64(now.cFree)/mib, now.gos)
}

// summary prints the resident set minute by minute and its growth after
// warmup.
func (s *sampler) summary(warmup time.Duration) {
	if len(s.samples) == 0 {
		return
	}
	fmt.Fprintf(s.w, "\nminute by minute (the first sample at or after each minute):\n")
	fmt.Fprintf(s.w, "%8s %8s %8s %9s %9s %10s\n", "elapsed", "RSS MiB", "Go MiB", "other MiB", "C in use", "msgs/s")
	next := time.Duration(0)
	for i, x := range s.samples {
		if x.at < next && i != len(s.samples)-1 {
			continue
		}
		fmt.Fprintf(s.w, "%8v %8.1f %8.1f %9.1f %9.1f %10.0f\n", x.at, float64(x.rss)/mib, float64(x.goMapped)/mib, float64(x.other())/mib, float64(x.cInUse)/mib, x.rate)
		next = x.at.Truncate(time.Minute) + time.Minute
	}
	var base *sample
	for i := range s.samples {
		if s.samples[i].at >= warmup {
			base = &s.samples[i]
			break
		}
	}
	last := s.samples[len(s.samples)-1]
	if base == nil || last.at <= base.at {
		fmt.Fprintf(s.w, "\nthe run ended within the warm-up (%v): no growth to report\n", warmup)
		return
	}
	peak := *base
	for _, x := range s.samples {
		if x.at >= base.at && x.rss > peak.rss {
			peak = x
		}
	}
	var n, rss, goMapped, other float64
	for _, x := range s.samples {
		if x.at >= base.at {
			n++
			rss, goMapped, other = rss+float64(x.rss), goMapped+float64(x.goMapped), other+float64(x.other())
		}
	}
	fmt.Fprintf(s.w, "\nmean after the warm-up: RSS %.1f MiB, Go %.1f MiB, other %.1f MiB\n", rss/n/mib, goMapped/n/mib, other/n/mib)
	minutes := (last.at - base.at).Minutes()
	fmt.Fprintf(s.w, "after the warm-up (%v → %v): RSS %+.1f MiB (%+.2f MiB a minute; peak %.1f MiB at %v), Go %+.1f MiB, other %+.1f MiB; %.0f msgs/s on average\n",
		base.at, last.at,
		(float64(last.rss)-float64(base.rss))/mib, (float64(last.rss)-float64(base.rss))/mib/minutes, float64(peak.rss)/mib, peak.at,
		(float64(last.goMapped)-float64(base.goMapped))/mib, float64(last.other()-base.other())/mib,
		float64(last.handled-base.handled)/(last.at-base.at).Seconds())
}

// vmRSS returns the process's resident set size, from /proc/self/status;
// 0 where there is none.
func vmRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest) // "123456 kB"
		if len(f) == 0 {
			return 0
		}
		kb, err := strconv.ParseUint(string(f[0]), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
