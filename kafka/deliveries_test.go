package kafka

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// record returns a done function that stores its error in *got and counts
// its calls in *calls.
func record(got *error, calls *int) func(error) {
	return func(err error) { *got = err; *calls++ }
}

func TestDeliveriesEndAnEpochOnceEveryMessageIsReported(t *testing.T) {
	d := newDeliveries(time.Hour, 1000)
	var errs [3]error
	var calls [3]int
	for i := range errs {
		if _, over := d.add(record(&errs[i], &calls[i])); over != nil {
			t.Fatalf("add %d: over its limits", i)
		}
	}
	d.report(nil)
	d.report(nil)
	for i := range calls {
		if calls[i] != 0 {
			t.Fatalf("done %d called with a report still missing", i)
		}
	}
	d.report(nil)
	for i := range calls {
		if calls[i] != 1 || errs[i] != nil {
			t.Errorf("done %d: %d calls, error %v; want 1 call with nil", i, calls[i], errs[i])
		}
	}
}

func TestDeliveriesFailEveryMessageOfAFailedEpochOnly(t *testing.T) {
	d := newDeliveries(time.Hour, 1000)
	boom := errors.New("boom")
	var first, second [2]error
	var calls [4]int
	d.add(record(&first[0], &calls[0]))
	d.add(record(&first[1], &calls[1]))
	d.report(boom)
	d.report(nil)
	d.add(record(&second[0], &calls[2]))
	d.add(record(&second[1], &calls[3]))
	d.report(nil)
	d.report(nil)
	for i, err := range first {
		if !errors.Is(err, boom) {
			t.Errorf("epoch 1, done %d: %v, want %v", i, err, boom)
		}
	}
	for i, err := range second {
		if err != nil {
			t.Errorf("epoch 2, done %d: %v, want nil", i, err)
		}
	}
	for i, n := range calls {
		if n != 1 {
			t.Errorf("done %d called %d times", i, n)
		}
	}
}

func TestDeliveriesWithdrawnMessageIsNotReported(t *testing.T) {
	d := newDeliveries(time.Hour, 1000)
	var kept, gone error
	var keptCalls, goneCalls int
	d.add(record(&kept, &keptCalls))
	slot, _ := d.add(record(&gone, &goneCalls))
	d.report(nil)
	if keptCalls != 0 {
		t.Fatal("epoch ended while a message was neither reported nor withdrawn")
	}
	d.withdraw(slot) // the last one out ends the epoch
	if keptCalls != 1 || kept != nil {
		t.Errorf("kept message: %d calls, error %v; want 1 call with nil", keptCalls, kept)
	}
	if goneCalls != 0 {
		t.Errorf("withdrawn message's done called %d times", goneCalls)
	}
}

func TestDeliveriesHoldSendersBackOnceAnEpochIsFull(t *testing.T) {
	d := newDeliveries(time.Hour, 3)
	for i := range 2 {
		if _, over := d.add(func(error) {}); over != nil {
			t.Fatalf("add %d: over limits below maxMessages", i)
		}
	}
	_, over := d.add(func(error) {})
	if over == nil {
		t.Fatal("add at maxMessages: no wait")
	}
	if _, again := d.add(func(error) {}); again != over {
		t.Fatal("add after a full epoch: does not wait for the same epoch")
	}
	for range 4 {
		select {
		case <-over:
			t.Fatal("epoch ended before its reports were in")
		default:
		}
		d.report(nil)
	}
	<-over // ended: closed
	if _, over := d.add(func(error) {}); over != nil {
		t.Fatal("the next epoch starts full")
	}
}

func TestDeliveriesHoldSendersBackOnceAnEpochIsOld(t *testing.T) {
	d := newDeliveries(time.Nanosecond, 1<<30)
	var over <-chan struct{}
	for i := 0; over == nil; i++ {
		if i > 16 {
			t.Fatal("16 adds to an old epoch did not make senders wait")
		}
		_, over = d.add(func(error) {})
	}
}

func TestDeliveriesAbandonFailsWhatIsPending(t *testing.T) {
	d := newDeliveries(time.Hour, 1000)
	var got error
	var calls int
	d.add(record(&got, &calls))
	closed := errors.New("closed")
	d.abandon(closed)
	if calls != 1 || !errors.Is(got, closed) {
		t.Errorf("abandoned message: %d calls, error %v; want 1 call with %v", calls, got, closed)
	}
}

// TestDeliveriesConcurrent sends and reports from several goroutines at
// once, as senders and the report reader do: every done is called once,
// and never before its own report could have come in.
func TestDeliveriesConcurrent(t *testing.T) {
	const senders, each = 4, 5000
	d := newDeliveries(time.Millisecond, 64)
	var called, reportedSoFar atomic.Int64
	var early atomic.Bool
	reports := make(chan struct{}, senders*each)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range each {
				sentSoFar := d.sent.Load() + 1
				_, over := d.add(func(error) {
					// The epoch ends only once every message sent
					// before this one has a report.
					if reportedSoFar.Load() < sentSoFar {
						early.Store(true)
					}
					called.Add(1)
				})
				reports <- struct{}{}
				if over != nil {
					<-over
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range senders * each {
			<-reports
			reportedSoFar.Add(1)
			d.report(nil)
		}
	}()
	wg.Wait()
	<-done
	if n := called.Load(); n != senders*each {
		t.Errorf("%d done calls, want %d", n, senders*each)
	}
	if early.Load() {
		t.Error("a done function was called before enough reports had come in")
	}
}
