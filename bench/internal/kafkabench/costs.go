package kafkabench

import (
	"fmt"
	"runtime/metrics"
	"syscall"
	"time"

	"github.com/slipstream-go/slipstream/bench/internal/stats"
)

// Costs are what one side of a comparison spent per message, averaged over
// its runs: wall time, the process's CPU time (user and system, every
// thread, librdkafka's included), and the part of it the garbage collector
// spent marking. Wall time is what the benchmarks time; CPU time varies less
// from run to run on a shared machine, and with the broker in a child
// process (see EnvBroker) it is the client's alone.
type Costs struct {
	Wall, CPU, GCMark time.Duration
}

// A CostReport is what [Comparison.Costs] measured.
type CostReport struct {
	Pairs int
	// Names are the two sides' names: slipstream, alo, confluent, raw,
	// goka, ...
	Names [2]string
	// Costs are what each side spent per message.
	Costs [2]Costs
	// Ratio is the median of the pairs' throughput ratios, the first side
	// ÷ the second.
	Ratio float64
}

// Costs runs pairs of runs of the comparison's run size, one of the side
// called first and one of the side called second per pair, alternating
// which goes first, and reports what each side spent per message. An empty
// first is the comparison's first side (slipstream), an empty second its
// first baseline. It is for comparing forms of the code more finely than
// wall time can: two forms as the sides of a Comparison, say, one of them
// switched by an environment variable read when its client is made.
func (c *Comparison) Costs(pairs int, first, second string) (CostReport, error) {
	a, err := c.sideIndex(first, 0)
	if err != nil {
		return CostReport{}, err
	}
	b, err := c.sideIndex(second, 1)
	if err != nil {
		return CostReport{}, err
	}
	sides := []prepare{c.sides[a].prepare, c.sides[b].prepare}
	br, err := theBroker()
	if err == nil {
		err = warmUp(c.Name+"/"+c.sides[a].name+"/"+c.sides[b].name, br, c.size(), sides...)
	}
	if err != nil {
		return CostReport{}, err
	}
	var sums [2]usage
	var ratios []float64
	for i := range pairs {
		var walls [2]time.Duration
		for j := range sides {
			side := (i + j) % 2 // which side goes first alternates
			spent, err := measureRun(br, sides[side], c.size())
			if err != nil {
				return CostReport{}, fmt.Errorf("kafkabench: %s, pair %d: %w", c.Name, i+1, err)
			}
			sums[side] = sums[side].plus(spent)
			walls[side] = spent.wall
		}
		ratios = append(ratios, float64(walls[1])/float64(walls[0]))
	}
	n := pairs * c.size()
	return CostReport{
		Pairs: pairs,
		Names: [2]string{c.sides[a].name, c.sides[b].name},
		Costs: [2]Costs{sums[0].perMessage(n), sums[1].perMessage(n)},
		Ratio: stats.Median(ratios),
	}, nil
}

// sideIndex returns the index in c.sides of the side called name, or def
// if name is empty.
func (c *Comparison) sideIndex(name string, def int) (int, error) {
	if name == "" {
		return def, nil
	}
	for i, s := range c.sides {
		if s.name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("kafkabench: %s has no side %q (it has %v)", c.Name, name, c.Sides())
}

// measureRun makes one run of n messages and returns what the process
// spent between the run's marks.
func measureRun(br broker, p prepare, n int) (usage, error) {
	var began, ended usage
	err := timed(br, p, n, func() { began = readUsage() }, func() { ended = readUsage() })
	return ended.minus(began), err
}

// A usage is what the process has spent: up to a moment, as readUsage
// returns it, or between two, as minus does.
type usage struct {
	wall, cpu, gcMark time.Duration
}

// gcMarkMetrics are the runtime's CPU classes of the garbage collector's
// marking, by the workers that run beside the program, by the goroutines
// that allocate, and on idle Ps.
var gcMarkMetrics = []string{
	"/cpu/classes/gc/mark/dedicated:cpu-seconds",
	"/cpu/classes/gc/mark/assist:cpu-seconds",
	"/cpu/classes/gc/mark/idle:cpu-seconds",
}

// readUsage returns what the process has spent so far; wall is the time
// since an arbitrary moment.
func readUsage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(fmt.Sprintf("kafkabench: getrusage: %v", err))
	}
	samples := make([]metrics.Sample, len(gcMarkMetrics))
	for i, name := range gcMarkMetrics {
		samples[i].Name = name
	}
	metrics.Read(samples)
	var mark float64
	for _, s := range samples {
		mark += s.Value.Float64()
	}
	return usage{
		wall:   time.Duration(time.Now().UnixNano()),
		cpu:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		gcMark: time.Duration(mark * float64(time.Second)),
	}
}

func (u usage) minus(v usage) usage {
	return usage{wall: u.wall - v.wall, cpu: u.cpu - v.cpu, gcMark: u.gcMark - v.gcMark}
}

func (u usage) plus(v usage) usage {
	return usage{wall: u.wall + v.wall, cpu: u.cpu + v.cpu, gcMark: u.gcMark + v.gcMark}
}

// perMessage divides u among n messages.
func (u usage) perMessage(n int) Costs {
	if n == 0 {
		return Costs{}
	}
	d := time.Duration(n)
	return Costs{Wall: u.wall / d, CPU: u.cpu / d, GCMark: u.gcMark / d}
}
