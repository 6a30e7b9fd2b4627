package onerror_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/goleak"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// acked returns the items of src acknowledged so far, in order of value.
func acked(src *testkit.Tracked[int]) []int {
	return slices.Sorted(slices.Values(src.Acked()))
}

// fast retries at once, a few times.
var fast = onerror.Backoff{Attempts: 3, Initial: time.Millisecond, Max: time.Millisecond}

var errBoom = errors.New("boom")

// failing returns a handler that fails on bad as often as fails says (-1:
// always), and otherwise returns its input times ten; calls counts its
// calls per input.
func failing(bad int, fails int) (stream.Handler[int, int], map[int]int) {
	calls := map[int]int{}
	var mu sync.Mutex
	h := stream.FuncErr(func(_ context.Context, v int) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		calls[v]++
		if v == bad && (fails < 0 || calls[v] <= fails) {
			return 0, errBoom
		}
		return v * 10, nil
	}).Named("times10")
	return h, calls
}

func run(t *testing.T, src stream.Source[int], h stream.Handler[int, int], sinks ...stream.Sink[int]) error {
	t.Helper()
	app := stream.NewApp()
	stream.Handle(app, src, h, sinks...)
	return app.Run(testkit.Context(t, 20*time.Second))
}

func TestRetrySucceedsOnTheThirdAttempt(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, calls := failing(2, 2)
	out := sink.Collect[int]()
	if err := run(t, src, onerror.Retry(h, fast), out); err != nil {
		t.Fatal(err)
	}
	if calls[2] != 3 {
		t.Errorf("the handler was called %d times for the failing input, want 3", calls[2])
	}
	if got := out.Items(); !slices.Equal(got, []int{10, 20, 30}) {
		t.Errorf("outputs %v, want [10 20 30]: the retried input's once", got)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input", got)
	}
}

// A handler's outputs of a failed attempt are not sent: the retried
// input's outputs go out once.
func TestRetryHoldsAnAttemptsOutputs(t *testing.T) {
	var calls atomic.Int64
	h := stream.YieldErr(func(_ context.Context, v int, emit func(string)) error {
		emit("a")
		emit("b")
		if calls.Add(1) < 3 {
			return errBoom
		}
		return nil
	})
	out := sink.Collect[string]()
	app := stream.NewApp()
	stream.Handle(app, &testkit.Tracked[int]{Items: []int{1}}, onerror.Retry(h, fast), out)
	if err := app.Run(testkit.Context(t, 20*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := out.Items(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("outputs %v, want [a b]", got)
	}
}

func TestRetriesExhaustedThenSkip(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, calls := failing(2, -1)
	h = onerror.Skip(onerror.Retry(h, fast))
	out := sink.Collect[int]()
	if err := run(t, src, h, out); err != nil {
		t.Fatal(err)
	}
	if calls[2] != 3 {
		t.Errorf("the handler was called %d times for the failing input, want 3", calls[2])
	}
	if got := out.Items(); !slices.Equal(got, []int{10, 30}) {
		t.Errorf("outputs %v, want [10 30]", got)
	}
	if n := onerror.Skipped(h); n != 1 {
		t.Errorf("Skipped = %d, want 1", n)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input, the skipped one too", got)
	}
}

// Skip without Retry skips at the first failure; Retry after Skip keeps
// the skip.
func TestSkipWithoutRetry(t *testing.T) {
	h, calls := failing(2, -1)
	h = onerror.Retry(onerror.Skip(h), fast)
	if err := run(t, &testkit.Tracked[int]{Items: []int{1, 2, 3}}, h, sink.Discard[int]()); err != nil {
		t.Fatal(err)
	}
	if calls[2] != 3 || onerror.Skipped(h) != 1 {
		t.Errorf("calls %d, skipped %d; want 3 and 1", calls[2], onerror.Skipped(h))
	}
	h, calls = failing(2, -1)
	h = onerror.Skip(h)
	if err := run(t, &testkit.Tracked[int]{Items: []int{1, 2, 3}}, h, sink.Discard[int]()); err != nil {
		t.Fatal(err)
	}
	if calls[2] != 1 || onerror.Skipped(h) != 1 {
		t.Errorf("calls %d, skipped %d; want 1 and 1", calls[2], onerror.Skipped(h))
	}
}

// A handler that says its error is permanent is not retried.
func TestPermanentErrorIsNotRetried(t *testing.T) {
	var calls atomic.Int64
	h := onerror.Skip(onerror.Retry(stream.DoErr(func(context.Context, int) error {
		calls.Add(1)
		return backoff.Permanent(errBoom)
	}), fast))
	if err := run2(t, &testkit.Tracked[int]{Items: []int{1}}, h); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || onerror.Skipped(h) != 1 {
		t.Errorf("calls %d, skipped %d; want 1 and 1", calls.Load(), onerror.Skipped(h))
	}
}

func run2[U any](t *testing.T, src stream.Source[int], h stream.Handler[int, U], sinks ...stream.Sink[U]) error {
	t.Helper()
	app := stream.NewApp()
	stream.Handle(app, src, h, sinks...)
	return app.Run(testkit.Context(t, 20*time.Second))
}

func TestStopIsTheDefault(t *testing.T) {
	// Without a policy, as before: the first error stops the app.
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, calls := failing(2, -1)
	err := run(t, src, h, sink.Discard[int]())
	if err == nil || err.Error() != "handler times10: boom" {
		t.Errorf("Run returned %v, want handler times10: boom", err)
	}
	if calls[2] != 1 || slices.Contains(acked(src), 2) {
		t.Errorf("calls %d, acknowledged %v: want 1 call and 2 never acknowledged", calls[2], acked(src))
	}

	// Retry alone retries, then stops.
	src = &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, calls = failing(2, -1)
	err = run(t, src, onerror.Retry(h, fast), sink.Discard[int]())
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "handler times10: boom (gave up after 3 attempts)") {
		t.Errorf("Run returned %v, want the handler's error after 3 attempts", err)
	}
	if calls[2] != 3 || slices.Contains(acked(src), 2) {
		t.Errorf("calls %d, acknowledged %v: want 3 calls and 2 never acknowledged", calls[2], acked(src))
	}
}

// A drain while a retry waits ends the wait at once; the input is left
// unacknowledged for the next run, and Run returns nil.
func TestDrainDuringBackoffEndsPromptly(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2}}
	ctx, cancel := context.WithCancel(testkit.Context(t, 20*time.Second))
	defer cancel()
	failed := make(chan struct{}, 10)
	h := stream.FuncErr(func(_ context.Context, v int) (int, error) {
		if v == 2 {
			failed <- struct{}{}
			return 0, errBoom
		}
		return v, nil
	})
	h = onerror.Skip(onerror.Retry(h, onerror.Backoff{MaxElapsed: time.Hour, Initial: time.Minute}))
	app := stream.NewApp()
	out := sink.Collect[int]()
	stream.Handle(app, src, h, out)
	ended := make(chan error, 1)
	go func() { ended <- app.Run(ctx) }()
	<-failed
	time.Sleep(20 * time.Millisecond) // into the first wait
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
		t.Errorf("acknowledged %v, want [1]: the retried input's fate is undecided", got)
	}
	if onerror.Skipped(h) != 0 {
		t.Errorf("skipped %d, want 0", onerror.Skipped(h))
	}
	if got := out.Items(); !slices.Equal(got, []int{1}) {
		t.Errorf("outputs %v, want [1]", got)
	}
}

// An abort (another handler fails) also ends a wait at once.
func TestAbortDuringBackoffEndsPromptly(t *testing.T) {
	app := stream.NewApp()
	h, _ := failing(1, -1)
	stream.Handle(app, &testkit.Tracked[int]{Items: []int{1}}, onerror.Retry(h, onerror.Backoff{Attempts: 5, Initial: time.Minute}), sink.Discard[int]())
	stream.Handle(app, &testkit.Tracked[int]{Items: []int{1}}, stream.DoErr(func(context.Context, int) error {
		time.Sleep(50 * time.Millisecond)
		return errors.New("other")
	}))
	start := time.Now()
	err := app.Run(testkit.Context(t, 20*time.Second))
	if err == nil || !strings.Contains(err.Error(), "other") {
		t.Errorf("Run returned %v, want the other handler's error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the abort took %v", d)
	}
}

func TestPanicsOnBadArguments(t *testing.T) {
	h, _ := failing(0, 0)
	for name, f := range map[string]func(){
		"no bound":     func() { onerror.Retry(h, onerror.Backoff{Initial: time.Second}) },
		"negative":     func() { onerror.Retry(h, onerror.Backoff{Attempts: -1}) },
		"zero handler": func() { onerror.Skip(stream.Handler[int, int]{}) },
		"nil dlq":      func() { onerror.DeadLetter(h, nil) },
		"nil sink":     func() { onerror.SkipSink[int](nil) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "onerror.") {
					t.Errorf("%s: recovered %v, want a panic naming the function", name, r)
				}
			}()
			f()
		}()
	}
}
