package procs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/slipstream-go/slipstream/state"
)

// A Report is what a process's table of counts holds when asked: its
// partitions and the counts of their keys.
type Report struct {
	Partitions []int32        `json:"partitions"`
	Counts     map[string]int `json:"counts"`
}

// Held returns the report of what counts holds now.
func Held(counts *state.Table[string, int]) Report {
	r := Report{Partitions: counts.Held(), Counts: map[string]int{}}
	for _, p := range r.Partitions {
		it, err := counts.Iter(p)
		if err != nil {
			continue // given up meanwhile: Ask asks again
		}
		for k, n := range it.Items() {
			r.Counts[k] += n
		}
	}
	return r
}

// Answer prints a report of counts as one JSON line each time the process
// receives SIGUSR1, until the returned function is called.
func Answer(counts *state.Table[string, int]) (stop func()) {
	asked := make(chan os.Signal, 1)
	signal.Notify(asked, syscall.SIGUSR1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range asked {
			if err := json.NewEncoder(os.Stdout).Encode(Held(counts)); err != nil {
				fmt.Fprintln(os.Stderr, "report:", err)
			}
		}
	}()
	return func() {
		signal.Stop(asked)
		close(asked)
		<-done
	}
}

// Ask has a process report what its table holds (see Answer).
func Ask(ctx context.Context, p *Process) (Report, error) {
	if err := p.Cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		return Report{}, err
	}
	l, err := p.Line(ctx)
	if err != nil {
		return Report{}, err
	}
	var r Report
	return r, json.Unmarshal([]byte(l), &r)
}
