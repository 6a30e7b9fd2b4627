package onerror_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

// flakySink fails to take bad as often as fails says (-1: always); it is
// a Closer, and counts its closes.
type flakySink struct {
	bad, fails int
	mu         sync.Mutex
	calls      map[int]int
	got        []int
	closed     int
}

func newFlaky(bad, fails int) *flakySink {
	return &flakySink{bad: bad, fails: fails, calls: map[int]int{}}
}

func (s *flakySink) Send(_ context.Context, v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[v]++
	if v == s.bad && (s.fails < 0 || s.calls[v] <= s.fails) {
		return errBoom
	}
	s.got = append(s.got, v)
	return nil
}

func (s *flakySink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed++
	return nil
}

func (s *flakySink) String() string { return "flaky" }

func TestRetrySinkSucceedsOnTheThirdAttempt(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, _ := failing(0, 0)
	out := newFlaky(20, 2)
	if err := run(t, src, h, onerror.RetrySink(out, fast)); err != nil {
		t.Fatal(err)
	}
	if out.calls[20] != 3 || !slices.Equal(out.got, []int{10, 20, 30}) {
		t.Errorf("sent 20 %d times, got %v; want 3 and [10 20 30]", out.calls[20], out.got)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input", got)
	}
	if out.closed != 1 {
		t.Errorf("the sink was closed %d times, want 1", out.closed)
	}
}

func TestSinkRetriesExhaustedThenSkip(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, _ := failing(0, 0)
	out := newFlaky(20, -1)
	s := onerror.SkipSink(onerror.RetrySink(out, fast))
	other := sink.Collect[int]()
	if err := run(t, src, h, s, other); err != nil {
		t.Fatal(err)
	}
	if out.calls[20] != 3 || !slices.Equal(out.got, []int{10, 30}) || onerror.SkippedSink(s) != 1 {
		t.Errorf("sent 20 %d times, got %v, skipped %d; want 3, [10 30], 1", out.calls[20], out.got, onerror.SkippedSink(s))
	}
	if got := other.Items(); !slices.Equal(got, []int{10, 20, 30}) {
		t.Errorf("the next sink got %v, want every output", got)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input", got)
	}
}

func TestDeadLetterSink(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, _ := failing(0, 0)
	dlq := sink.Collect[onerror.Failure[int]]()
	if err := run(t, src, h, onerror.DeadLetterSink(newFlaky(20, -1), dlq)); err != nil {
		t.Fatal(err)
	}
	dead := dlq.Items()
	if len(dead) != 1 || dead[0].Value != 20 || !errors.Is(dead[0].Err, errBoom) ||
		dead[0].Err.Error() != "sink flaky: boom" || dead[0].Handler != "times10" {
		t.Errorf("dead letters %+v, want output 20, sink flaky: boom, handler times10", dead)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input", got)
	}
}

func TestSinkStopIsTheDefault(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, _ := failing(0, 0)
	err := run(t, src, h, onerror.RetrySink(newFlaky(20, -1), fast))
	if !errors.Is(err, errBoom) || err.Error() != "handler times10: sink flaky: boom (gave up after 3 attempts)" {
		t.Errorf("Run returned %v", err)
	}
	if slices.Contains(acked(src), 2) {
		t.Errorf("acknowledged %v, want 2 never", acked(src))
	}
}

// lossySink is an async sink that takes every output and later reports
// bad lost.
type lossySink struct {
	bad int
	mu  sync.Mutex
	got []int
}

func (s *lossySink) Send(context.Context, int) error { panic("not async") }

func (s *lossySink) SendAsync(_ context.Context, v int, done func(error)) error {
	go func() {
		if v == s.bad {
			done(errBoom)
			return
		}
		s.mu.Lock()
		s.got = append(s.got, v)
		s.mu.Unlock()
		done(nil)
	}()
	return nil
}

// An async sink's report of a lost output goes to the policy's fate.
func TestAsyncSinkLosesAnOutput(t *testing.T) {
	t.Run("skip", func(t *testing.T) {
		src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
		h, _ := failing(0, 0)
		s := onerror.SkipSink(onerror.RetrySink[int](&lossySink{bad: 20}, fast))
		if err := run(t, src, h, s); err != nil {
			t.Fatal(err)
		}
		if onerror.SkippedSink(s) != 1 || !slices.Equal(acked(src), []int{1, 2, 3}) {
			t.Errorf("skipped %d, acknowledged %v; want 1 and every input", onerror.SkippedSink(s), acked(src))
		}
	})
	t.Run("dead-letter", func(t *testing.T) {
		src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
		h, _ := failing(0, 0)
		dlq := sink.Collect[onerror.Failure[int]]()
		if err := run(t, src, h, onerror.DeadLetterSink[int](&lossySink{bad: 20}, dlq)); err != nil {
			t.Fatal(err)
		}
		if dead := dlq.Items(); len(dead) != 1 || dead[0].Value != 20 || !slices.Equal(acked(src), []int{1, 2, 3}) {
			t.Errorf("dead letters %+v, acknowledged %v", dead, acked(src))
		}
	})
	t.Run("stop", func(t *testing.T) {
		src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
		h, _ := failing(0, 0)
		err := run(t, src, h, onerror.RetrySink[int](&lossySink{bad: 20}, fast))
		if !errors.Is(err, errBoom) || slices.Contains(acked(src), 2) {
			t.Errorf("Run returned %v, acknowledged %v", err, acked(src))
		}
	})
}

func TestDrainDuringSinkBackoffEndsPromptly(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2}}
	ctx, cancel := context.WithCancel(testkit.Context(t, 20*time.Second))
	defer cancel()
	out := newFlaky(20, -1)
	failed := make(chan struct{})
	var once sync.Once
	s := onerror.RetrySink[int](stream.SinkFunc[int](func(ctx context.Context, v int) error {
		err := out.Send(ctx, v)
		if err != nil {
			once.Do(func() { close(failed) })
		}
		return err
	}), onerror.Backoff{MaxElapsed: time.Hour, Initial: time.Minute})
	h, _ := failing(0, 0)
	app := stream.NewApp()
	stream.Handle(app, src, h, s)
	ended := make(chan error, 1)
	go func() { ended <- app.Run(ctx) }()
	<-failed
	start := time.Now()
	cancel()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("Run returned %v after a drain", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("the drain took %v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the drain did not end the backoff")
	}
	if got := acked(src); !slices.Equal(got, []int{1}) {
		t.Errorf("acknowledged %v, want [1]", got)
	}
}

// A sink under a policy can be used outside an app too.
func TestPolicySinkOutsideAnApp(t *testing.T) {
	out := newFlaky(2, -1)
	s := onerror.SkipSink(onerror.RetrySink(out, fast))
	ctx := testkit.Context(t, 10*time.Second)
	for v := range 3 {
		if err := s.Send(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if onerror.SkippedSink(s) != 1 || !slices.Equal(out.got, []int{0, 1}) {
		t.Errorf("skipped %d, got %v", onerror.SkippedSink(s), out.got)
	}
}
