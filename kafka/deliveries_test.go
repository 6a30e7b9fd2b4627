package kafka

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
)

// record returns a done function that stores its error in *got and counts
// its calls in *calls.
func record(got *error, calls *int) func(error) {
	return func(err error) { *got = err; *calls++ }
}

func TestDeliveriesEndAnEpochOnceEveryMessageIsReported(t *testing.T) {
	d := newDeliveries(time.Hour, 1000, 1<<20)
	var errs [3]error
	var calls [3]int
	for i := range errs {
		if _, ok := d.add(record(&errs[i], &calls[i])); !ok {
			t.Fatalf("add %d: not counted", i)
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
	d := newDeliveries(time.Hour, 1000, 1<<20)
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
	d := newDeliveries(time.Hour, 1000, 1<<20)
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

func TestDeliveriesFullEpochTakesNoMoreUntilItEnds(t *testing.T) {
	d := newDeliveries(time.Hour, 3, 1<<20)
	var calls int
	for i := range 3 {
		if _, ok := d.add(func(error) { calls++ }); !ok {
			t.Fatalf("add %d: not counted below maxMessages", i)
		}
	}
	if _, ok := d.add(func(error) { t.Error("a message the epoch did not take was reported with it") }); ok {
		t.Fatal("add beyond maxMessages: counted")
	}
	for range 3 {
		if calls != 0 {
			t.Fatal("epoch ended before its reports were in")
		}
		d.report(nil)
	}
	if calls != 3 {
		t.Fatalf("%d done calls at the end of the epoch, want 3", calls)
	}
	if _, ok := d.add(func(error) {}); !ok {
		t.Fatal("the next epoch starts full")
	}
}

func TestDeliveriesEpochOfMaxRunsTakesNoMore(t *testing.T) {
	d := newDeliveries(time.Hour, 1000, 2)
	var calls [2]int
	for i := range calls {
		if _, ok := d.add(func(error) { calls[i]++ }); !ok {
			t.Fatalf("add %d: not counted below maxRuns", i)
		}
	}
	if _, ok := d.add(func(error) { t.Error("a message the epoch did not take was reported with it") }); ok {
		t.Fatal("a run beyond maxRuns: counted")
	}
	d.report(nil)
	d.report(nil)
	if calls != [2]int{1, 1} {
		t.Fatalf("done calls %v at the end of the epoch, want one each", calls)
	}
}

func TestDeliveriesShareARunBetweenSendsOfOneDoneFunction(t *testing.T) {
	d := newDeliveries(time.Hour, 1000, 2)
	var errs []error
	done := func(err error) { errs = append(errs, err) }
	for i := range 5 {
		if _, ok := d.add(done); !ok {
			t.Fatalf("add %d of one function: not counted, as if each made a run", i)
		}
	}
	slot, _ := d.add(done)
	d.withdraw(slot)
	other := 0
	if _, ok := d.add(func(error) { other++ }); !ok {
		t.Fatal("a second function: not counted")
	}
	if len(d.pending) != 2 {
		t.Fatalf("%d runs, want 2", len(d.pending))
	}
	boom := errors.New("boom")
	d.report(boom)
	for range 5 {
		d.report(nil)
	}
	if len(errs) != 5 || other != 1 {
		t.Fatalf("shared function called %d times, other %d; want 5 (one withdrawn) and 1", len(errs), other)
	}
	for _, err := range errs {
		if !errors.Is(err, boom) {
			t.Fatalf("errors %v: want the epoch's error for each", errs)
		}
	}
}

func TestDeliveriesOldEpochTakesNoMore(t *testing.T) {
	d := newDeliveries(time.Nanosecond, 1<<30, 1<<20)
	for i := 0; ; i++ {
		if i > 16 {
			t.Fatal("an old epoch still counts messages after 16 adds")
		}
		if _, ok := d.add(func(error) {}); !ok {
			return
		}
	}
}

func TestDeliveriesAbandonFailsWhatIsPending(t *testing.T) {
	d := newDeliveries(time.Hour, 1000, 1<<20)
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
// once, as senders and the report reader do, with epochs that fill up: every
// done is called once, and a counted one never before its own report could
// have come in.
func TestDeliveriesConcurrent(t *testing.T) {
	const senders, each = 4, 5000
	d := newDeliveries(time.Millisecond, 64, 1<<20)
	var called, reportedSoFar atomic.Int64
	var early atomic.Bool
	// A report carries the done function of a message add did not count,
	// as librdkafka's would carry its Opaque; nil for a counted message.
	reports := make(chan func(error), senders*each)
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range each {
				sentSoFar := d.sent.Load() + 1
				done := func(error) { called.Add(1) }
				_, counted := d.add(func(err error) {
					// The epoch ends only once every message counted
					// before this one has a report.
					if reportedSoFar.Load() < sentSoFar {
						early.Store(true)
					}
					done(err)
				})
				if counted {
					reports <- nil
				} else {
					reports <- done
				}
			}
		})
	}
	go func() {
		for range senders * each {
			done := <-reports
			if done != nil {
				done(nil)
				continue
			}
			reportedSoFar.Add(1)
			d.report(nil)
		}
	}()
	wg.Wait()
	testkit.Eventually(t, 10*time.Second, "not every done was called", func() bool { return called.Load() == senders*each })
	if n := called.Load(); n != senders*each {
		t.Errorf("%d done calls, want %d", n, senders*each)
	}
	if early.Load() {
		t.Error("a done function was called before enough reports had come in")
	}
}

// TestDeliveriesAddAllStopsWhereTheEpochIsFull counts in a burst that goes
// beyond the epoch's limit, withdraws part of what it counted, and checks
// that the epoch ends with the reports of the rest alone.
func TestDeliveriesAddAllStopsWhereTheEpochIsFull(t *testing.T) {
	d := newDeliveries(time.Hour, 4, 1<<20)
	var calls, withdrawnCalls int
	count := func(error) { calls++ }
	withdrawn := func(error) { withdrawnCalls++ }
	d.add(count)
	first, n := d.addAll([]func(error){count, withdrawn, withdrawn, count}, nil)
	if first != 1 || n != 3 {
		t.Fatalf("addAll counted %d from slot %d, want 3 from slot 1 (the epoch takes 4)", n, first)
	}
	d.withdrawAll(first+1, first+3)
	d.report(nil)
	if calls != 0 {
		t.Fatal("epoch ended before its reports were in")
	}
	d.report(nil)
	if calls != 2 || withdrawnCalls != 0 {
		t.Fatalf("%d done calls and %d of withdrawn messages at the end of the epoch, want 2 and 0", calls, withdrawnCalls)
	}
}

// TestDeliveriesCallASharedDoneOncePerMessage sends a batch whose untracked
// messages share one done function, as an app's untracked outputs do,
// withdraws one from the middle of a run, and checks that each function is
// called once per message that was not withdrawn, with the epoch's error.
func TestDeliveriesCallASharedDoneOncePerMessage(t *testing.T) {
	d := newDeliveries(time.Hour, 1000, 1<<20)
	var shared, other int
	var sharedErr error
	sharedDone := func(err error) { shared++; sharedErr = err }
	otherDone := func(error) { other++ }
	first, n := d.addAll([]func(error){nil, nil, nil, otherDone, nil}, sharedDone)
	if first != 0 || n != 5 {
		t.Fatalf("addAll counted %d from slot %d, want 5 from slot 0", n, first)
	}
	if len(d.pending) != 3 {
		t.Fatalf("%d runs of done functions, want 3 (untracked, other, untracked)", len(d.pending))
	}
	if slot, _ := d.add(sharedDone); slot != 5 {
		t.Fatalf("add after 5 messages gave slot %d, want 5", slot)
	}
	d.withdraw(1)
	boom := errors.New("boom")
	d.report(boom)
	for range 3 {
		d.report(nil)
	}
	if shared != 0 || other != 0 {
		t.Fatal("epoch ended with a report missing")
	}
	d.report(nil)
	if shared != 4 || other != 1 {
		t.Fatalf("shared done called %d times, other %d; want 4 (5, one withdrawn) and 1", shared, other)
	}
	if !errors.Is(sharedErr, boom) {
		t.Errorf("shared done called with %v, want the epoch's error %v", sharedErr, boom)
	}
}
