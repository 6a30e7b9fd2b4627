// Package pipeline holds the bodies of the benchmarks that compare slipstream
// with hand-written channels, go-streams and rill. The Benchmark functions in
// the bench module and the cmd/ratios program both run these, so the figures
// they print come from the same code.
//
// Throughput: one op is one int going through Map(x*3) → Filter(even) →
// Map(x+1) into a consumer that sums what arrives; the input is a []int of b.N
// items made before the timer starts, and the sum is checked after it stops.
//
// Latency: one op is one item sent into an idle, already running three-stage
// pipeline (Map(x+1) three times) and received at its end; the next item is
// sent only once the previous one has arrived.
package pipeline

import (
	"context"
	"fmt"
	"testing"

	"github.com/destel/rill"
	"github.com/reugn/go-streams/extension"
	"github.com/reugn/go-streams/flow"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

// chanSize is the capacity of every channel the hand-written pipelines make.
const chanSize = 64

// The stages of the throughput pipeline, shared by every implementation.
func triple(x int) int { return x * 3 }
func even(x int) bool  { return x%2 == 0 }
func inc(x int) int    { return x + 1 }

// Input returns the benchmark input of n items: 0, 1, ..., n-1.
func Input(n int) []int {
	in := make([]int, n)
	for i := range in {
		in[i] = i
	}
	return in
}

// Expected returns the sum the throughput pipeline makes of in.
func Expected(in []int) int {
	sum := 0
	for _, v := range in {
		if v = triple(v); even(v) {
			sum += inc(v)
		}
	}
	return sum
}

// A Prepare builds a throughput pipeline over in, outside the timer, and
// returns the function that runs it to the end, timed, and returns the sum of
// what reached its consumer.
type Prepare func(in []int) (run func() (int, error))

// Throughput lists the throughput pipelines by sub-benchmark name.
var Throughput = []struct {
	Name    string
	Prepare Prepare
}{
	{"slipstream", PrepareSlipstream},
	{"channels", PrepareChannels},
	{"gostreams", PrepareGoStreams},
	{"rill", PrepareRill},
}

// benchThroughput runs the pipeline that prepare builds over b.N items,
// checks its sum and reports items/s.
func benchThroughput(b *testing.B, prepare Prepare) {
	in := Input(b.N)
	want := Expected(in)
	b.ReportAllocs()
	run := prepare(in)
	b.ResetTimer()
	got, err := run()
	b.StopTimer()
	if err != nil {
		b.Fatalf("pipeline failed after %d items: %v", b.N, err)
	}
	if got != want {
		b.Fatalf("sum of %d items: got %d, want %d", b.N, got, want)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// Slipstream is the throughput benchmark for slipstream.
func Slipstream(b *testing.B) { benchThroughput(b, PrepareSlipstream) }

// Channels is the throughput benchmark for a hand-written channel pipeline.
func Channels(b *testing.B) { benchThroughput(b, PrepareChannels) }

// GoStreams is the throughput benchmark for go-streams.
func GoStreams(b *testing.B) { benchThroughput(b, PrepareGoStreams) }

// Rill is the throughput benchmark for rill.
func Rill(b *testing.B) { benchThroughput(b, PrepareRill) }

// PrepareSlipstream builds source.Slice → Map → Filter → Map into a handler
// that sums, bound to an app; running it runs the app.
func PrepareSlipstream(in []int) func() (int, error) {
	sum := 0
	app := stream.NewApp()
	s := stream.Map(stream.Filter(stream.Map(source.Slice(in), triple), even), inc)
	stream.Handle(app, s, stream.Do(func(v int) { sum += v }))
	return func() (int, error) {
		err := app.Run(context.Background())
		return sum, err // Run has waited for the handler
	}
}

// PrepareChannels returns the idiomatic hand-written pipeline: a goroutine
// ranging the slice, then one goroutine and one buffered channel per stage,
// summed by the caller.
func PrepareChannels(in []int) func() (int, error) {
	return func() (int, error) {
		src := make(chan int, chanSize)
		go func() {
			defer close(src)
			for _, v := range in {
				src <- v
			}
		}()
		sum := 0
		for v := range mapChan(filterChan(mapChan(src, triple), even), inc) {
			sum += v
		}
		return sum, nil
	}
}

func mapChan(in <-chan int, f func(int) int) <-chan int {
	out := make(chan int, chanSize)
	go func() {
		defer close(out)
		for v := range in {
			out <- f(v)
		}
	}()
	return out
}

func filterChan(in <-chan int, keep func(int) bool) <-chan int {
	out := make(chan int, chanSize)
	go func() {
		defer close(out)
		for v := range in {
			if keep(v) {
				out <- v
			}
		}
	}()
	return out
}

// PrepareGoStreams builds go-streams' flow: a ChanSource, NewMap, NewFilter,
// NewMap (parallelism 1) into a sink that sums. Running it starts the
// goroutine that feeds the source and waits for the sink.
func PrepareGoStreams(in []int) func() (int, error) {
	src := make(chan any, chanSize)
	f := extension.NewChanSource(src).
		Via(flow.NewMap(triple, 1)).
		Via(flow.NewFilter(even, 1)).
		Via(flow.NewMap(inc, 1))
	return func() (int, error) {
		go func() {
			defer close(src)
			for _, v := range in {
				src <- v
			}
		}()
		s := newSumSink()
		f.To(s)
		return s.sum, nil
	}
}

// sumSink is a go-streams Sink that sums the ints it receives.
type sumSink struct {
	in   chan any
	done chan struct{}
	sum  int
}

func newSumSink() *sumSink {
	s := &sumSink{in: make(chan any), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for v := range s.in {
			s.sum += v.(int)
		}
	}()
	return s
}

func (s *sumSink) In() chan<- any   { return s.in }
func (s *sumSink) AwaitCompletion() { <-s.done }

// PrepareRill builds rill's FromSlice → OrderedMap → OrderedFilter →
// OrderedMap (n = 1) into a ForEach that sums.
func PrepareRill(in []int) func() (int, error) {
	return func() (int, error) {
		s := rill.FromSlice(in, nil)
		s = rill.OrderedMap(s, 1, func(x int) (int, error) { return triple(x), nil })
		s = rill.OrderedFilter(s, 1, func(x int) (bool, error) { return even(x), nil })
		s = rill.OrderedMap(s, 1, func(x int) (int, error) { return inc(x), nil })
		sum := 0
		err := rill.ForEach(s, 1, func(x int) error {
			sum += x
			return nil
		})
		return sum, err
	}
}

// A Loop is a running three-stage pipeline: what is sent on In comes out of
// Out, plus 3. Stop closes In and waits for the pipeline to end.
type Loop struct {
	In   chan<- int
	Out  <-chan int
	Stop func() error
}

// Start starts a latency pipeline; Latency lists them by sub-benchmark name.
type Start func() *Loop

// Latency lists the latency pipelines by sub-benchmark name.
var Latency = []struct {
	Name  string
	Start Start
}{
	{"slipstream", StartSlipstream},
	{"channels", StartChannels},
}

// benchLatency times b.N round trips through the loop that start starts.
func benchLatency(b *testing.B, start Start) {
	l := start()
	var err error
	if err = roundTrip(l, -1); err != nil { // every stage is up and idle
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err = roundTrip(l, i); err != nil {
			break
		}
	}
	b.StopTimer()
	if stopErr := l.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		b.Fatal(err)
	}
}

// roundTrip sends v into l and checks what comes out.
func roundTrip(l *Loop, v int) error {
	l.In <- v
	if got := <-l.Out; got != v+3 {
		return fmt.Errorf("sent %d, received %d, want %d", v, got, v+3)
	}
	return nil
}

// SlipstreamLatency is the latency benchmark for slipstream.
func SlipstreamLatency(b *testing.B) { benchLatency(b, StartSlipstream) }

// ChannelsLatency is the latency benchmark for a hand-written channel pipeline.
func ChannelsLatency(b *testing.B) { benchLatency(b, StartChannels) }

// StartSlipstream runs source.Chan(in) → Map → Map → Map into sink.Chan(out)
// in an app on its own goroutine. Handle needs a handler: it passes items on.
func StartSlipstream() *Loop {
	in, out := make(chan int), make(chan int)
	app := stream.NewApp()
	s := stream.Map(stream.Map(stream.Map(source.Chan(in), inc), inc), inc)
	stream.Handle(app, s, stream.Func(func(v int) int { return v }), sink.Chan(out))
	errc := make(chan error, 1)
	go func() { errc <- app.Run(context.Background()) }()
	return &Loop{In: in, Out: out, Stop: func() error {
		close(in) // the source ends, and the app after it
		return <-errc
	}}
}

// StartChannels runs three goroutines joined by buffered channels, the last
// one writing to out.
func StartChannels() *Loop {
	in, out := make(chan int), make(chan int)
	go func() {
		defer close(out)
		for v := range mapChan(mapChan(in, inc), inc) {
			out <- inc(v)
		}
	}()
	return &Loop{In: in, Out: out, Stop: func() error {
		close(in)
		for range out { // wait for every stage to end
		}
		return nil
	}}
}
