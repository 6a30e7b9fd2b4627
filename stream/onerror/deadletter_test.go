package onerror_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/onerror"
)

func TestDeadLetterToAnInMemorySink(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, calls := failing(2, -1)
	dlq := sink.Collect[onerror.Failure[int]]()
	h = onerror.DeadLetter(onerror.Retry(h, fast), dlq)
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
	dead := dlq.Items()
	if len(dead) != 1 || dead[0].Value != 2 || !errors.Is(dead[0].Err, errBoom) || dead[0].Handler != "times10" {
		t.Errorf("dead letters %+v, want input 2, boom, handler times10", dead)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input", got)
	}
	if onerror.Skipped(h) != 0 {
		t.Errorf("Skipped = %d for a dead-lettering handler", onerror.Skipped(h))
	}
}

// heldSink is an async sink of failures that accepts each only when told.
type heldSink struct {
	mu    sync.Mutex
	got   []onerror.Failure[int]
	dones []func(error)
	sent  chan struct{}
}

func (s *heldSink) Send(context.Context, onerror.Failure[int]) error {
	panic("the app sends to an async sink with SendAsync")
}

func (s *heldSink) SendAsync(_ context.Context, f onerror.Failure[int], done func(error)) error {
	s.mu.Lock()
	s.got = append(s.got, f)
	s.dones = append(s.dones, done)
	s.mu.Unlock()
	s.sent <- struct{}{}
	return nil
}

func (s *heldSink) report(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, done := range s.dones {
		done(err)
	}
	s.dones = nil
}

// The input is acknowledged only once the dead-letter sink has accepted
// it, and the app waits for that before it ends.
func TestDeadLetterAcknowledgedOnceAccepted(t *testing.T) {
	src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
	h, _ := failing(2, -1)
	dlq := &heldSink{sent: make(chan struct{}, 1)}
	app := stream.NewApp()
	stream.Handle(app, src, onerror.DeadLetter(h, dlq), sink.Discard[int]())
	ended := make(chan error, 1)
	go func() { ended <- app.Run(testkit.Context(t, 20*time.Second)) }()
	<-dlq.sent
	testkit.Eventually(t, 5*time.Second, "inputs 1 and 3 acknowledged", func() bool { return len(acked(src)) == 2 })
	if got := acked(src); !slices.Equal(got, []int{1, 3}) {
		t.Fatalf("acknowledged %v before the dead letter was accepted, want [1 3]", got)
	}
	select {
	case err := <-ended:
		t.Fatalf("Run returned %v before the dead letter was accepted", err)
	case <-time.After(50 * time.Millisecond):
	}
	dlq.report(nil)
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	if got := acked(src); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("acknowledged %v, want every input", got)
	}
}

// A dead-letter sink that fails stops the app with both errors, whether
// it refuses the input at once or reports it lost later; the input is
// never acknowledged.
func TestDeadLetterSinkThatFails(t *testing.T) {
	errDLQ := errors.New("dead-letter sink is down")
	check := func(t *testing.T, src *testkit.Tracked[int], err error) {
		t.Helper()
		if !errors.Is(err, errDLQ) || !errors.Is(err, errBoom) {
			t.Errorf("Run returned %v, want both errors", err)
		}
		if err != nil && !strings.Contains(err.Error(), "handler times10: dead-lettering to ") {
			t.Errorf("error %q does not say where", err)
		}
		if slices.Contains(acked(src), 2) {
			t.Errorf("acknowledged %v: the input that was not dead-lettered too", acked(src))
		}
	}
	t.Run("Send", func(t *testing.T) {
		src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
		h, _ := failing(2, -1)
		dlq := stream.SinkFunc[onerror.Failure[int]](func(context.Context, onerror.Failure[int]) error { return errDLQ })
		check(t, src, run(t, src, onerror.DeadLetter(h, dlq), sink.Discard[int]()))
	})
	t.Run("SendAsync", func(t *testing.T) {
		src := &testkit.Tracked[int]{Items: []int{1, 2, 3}}
		h, _ := failing(2, -1)
		dlq := &heldSink{sent: make(chan struct{}, 1)}
		go func() {
			<-dlq.sent
			dlq.report(errDLQ)
		}()
		check(t, src, run(t, src, onerror.DeadLetter(h, dlq), sink.Discard[int]()))
	})
}
