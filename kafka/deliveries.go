package kafka

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// The default limits of a delivery epoch: once its oldest message is this
// old, or it holds this many messages, or this many runs of messages with
// a done function of their own, it takes no more until it ends.
//
// The runs limit bounds what the garbage collector must mark: each run
// holds a done function, and the ones an app makes per tracked output
// (see flow's emitter) hold their input's token. At 80,000 changes a
// second to a state.Table, an epoch of 500 ms held 40,000 of them; with
// the limit, an epoch ends about every 50 ms there, and the GC's marking
// fell from about 900 to 550 ns per change (BenchmarkCount, kafkacosts).
// Sends that share one done function, or none, make one run, so epochs of
// plain produce loops stay long.
const (
	epochMaxAge      = 500 * time.Millisecond
	epochMaxMessages = 200_000
	epochMaxRuns     = 4096
)

// deliveries matches the delivery reports of a producer with the done
// functions of the messages [Topic.SendAsync] sent, without giving librdkafka
// an Opaque per message.
//
// Why: confluent-kafka-go keeps each message's Opaque in a map that the
// goroutine producing and the one polling delivery reports share under a
// mutex. In a raw produce loop, giving each message an Opaque costs about a
// third of the throughput, so a Topic that passed each done function as an
// Opaque could not keep up with librdkafka.
//
// How: a delivery report without an Opaque says how a message fared, not
// which message it was, and reports come back out of the order of sends
// (across partitions, and on retries). So deliveries counts messages sent
// and reports received. When the counts are equal, every message sent so far
// has its report, and the done functions waiting, an epoch of them, are
// called: each with nil, or each with the first error reported in the
// epoch, since that error could belong to any of them. A failed delivery
// thus fails every message of its epoch: a message that was delivered may be
// sent again (at least once), and none that was not is taken as delivered.
//
// The counts become equal whenever sending pauses for longer than a round
// trip to the broker. Under a steady flow they may never do so; an epoch that
// grows older than maxAge or larger than maxMessages therefore takes no more
// messages (see add): until it ends, messages are sent with their done
// function as their Opaque, as confluent-kafka-go intends, and each has its
// own report. The epoch then ends within a round trip, without holding any
// sender back, and counting resumes.
type deliveries struct {
	// sent and withdrawn are written by senders, reported by the goroutine
	// that reads delivery reports: apart, so that the two do not share a
	// cache line. None goes down.
	sent      atomic.Int64 // messages counted in, written under mu
	withdrawn atomic.Int64 // messages counted out again, never reported
	_         [48]byte
	reported  atomic.Int64 // delivery reports counted: written by report alone
	known     int64        // sent, as report last read it
	_         [48]byte

	maxAge      time.Duration
	maxMessages int
	maxRuns     int

	mu      sync.Mutex
	pending []doneRun // the epoch's done functions, in runs of one function
	count   int32     // messages counted in the epoch: the next one's slot
	spare   []doneRun // an ended epoch's array, emptied, for the next
	since   time.Time // when the epoch's first message was sent
	full    bool      // the epoch has reached a limit: it takes no more
	failed  error     // the first delivery error of the epoch
}

// A doneRun is a run of messages in an epoch that share one done function,
// which is called once per message of the run not withdrawn. The untracked
// outputs of a batch an app hands a Topic share one (see
// [streamio.BatchSink]), so such outputs cost a run per batch: holding a
// function per message would cost the garbage collector, which scans each,
// more than the rest of counting.
type doneRun struct {
	done      func(error)
	end       int32 // the slot after the run's last message (an epoch holds maxMessages at most)
	withdrawn int32 // messages of the run withdrawn
}

func newDeliveries(maxAge time.Duration, maxMessages, maxRuns int) *deliveries {
	return &deliveries{maxAge: maxAge, maxMessages: maxMessages, maxRuns: maxRuns}
}

// add counts in a message about to be handed to librdkafka and returns its
// slot, for withdraw; done is called once the message's epoch ends. When
// the epoch has reached a limit, add counts nothing and returns false: the
// message must then carry done as its Opaque.
func (d *deliveries) add(done func(error)) (slot int, ok bool) {
	first, n := d.addAll([]func(error){done}, nil)
	return first, n == 1
}

// addAll counts in, as add does, messages about to be handed to librdkafka
// in order, whose done functions are dones, until the epoch reaches a
// limit; a nil entry stands for untracked, and consecutive ones make one
// run. It returns the slot of the first and how many it counted; the others
// must carry their done functions as their Opaque.
func (d *deliveries) addAll(dones []func(error), untracked func(error)) (first, n int) {
	d.mu.Lock()
	first = int(d.count)
	shared := false // the last run is this call's run of untracked messages
	for _, done := range dones {
		if d.full {
			break
		}
		d.count++
		k := int(d.count)
		if k == 1 {
			d.since = time.Now()
		}
		switch {
		case done != nil && len(d.pending) > 0 && sameFunc(d.pending[len(d.pending)-1].done, done):
			d.pending[len(d.pending)-1].end = d.count
			shared = false
		case done != nil:
			d.pending = append(d.pending, doneRun{done: done, end: d.count})
			shared = false
		case shared:
			d.pending[len(d.pending)-1].end = d.count
		default:
			d.pending = append(d.pending, doneRun{done: untracked, end: d.count})
			shared = true
		}
		n++
		// Reading the clock costs about as much as the rest of counting a
		// message: read it every 16 messages only.
		if k >= d.maxMessages || len(d.pending) >= d.maxRuns || k%16 == 0 && time.Since(d.since) >= d.maxAge {
			d.full = true
		}
	}
	d.sent.Add(int64(n))
	d.mu.Unlock()
	return first, n
}

// sameFunc reports whether f and g are the same function value: the same
// closure, or the same function without one. Go cannot compare functions;
// a func value is a pointer to its closure (or to a static one for a
// plain function), so comparing those pointers is exact, and never says
// that two different closures are the same. It lets a loop of SendAsyncs
// with one callback count as one run, which the runs limit would
// otherwise cut into epochs of epochMaxRuns messages (SendAsync: 0.87-0.89x
// of a raw produce loop without it, 0.91-1.00x with it, kafkacosts).
func sameFunc(f, g func(error)) bool {
	return *(*unsafe.Pointer)(unsafe.Pointer(&f)) == *(*unsafe.Pointer)(unsafe.Pointer(&g))
}

// withdraw counts out the message of slot, which librdkafka did not take:
// its done function is not called.
func (d *deliveries) withdraw(slot int) { d.withdrawAll(slot, slot+1) }

// withdrawAll counts out the messages of slots from to to-1, which
// librdkafka did not take: their done functions are not called.
func (d *deliveries) withdrawAll(from, to int) {
	// No epoch can end between add and withdraw: the messages were counted
	// as sent and have no report. They count as reported from now on.
	d.mu.Lock()
	for slot := from; slot < to; slot++ {
		d.runOf(slot).withdrawn++
	}
	d.mu.Unlock()
	d.withdrawn.Add(int64(to - from))
	d.release()
}

// runOf returns the run holding slot, with d.mu held.
func (d *deliveries) runOf(slot int) *doneRun {
	i := sort.Search(len(d.pending), func(i int) bool { return int(d.pending[i].end) > slot })
	return &d.pending[i]
}

// report counts in one delivery report; err is its error, if any. Only the
// goroutine that reads delivery reports calls it.
func (d *deliveries) report(err error) {
	if err != nil {
		d.mu.Lock()
		if d.failed == nil {
			d.failed = err
		}
		d.mu.Unlock()
	}
	// Only this goroutine writes reported: a load and a store count without
	// the locked instruction an Add would take.
	reported := d.reported.Load() + 1
	d.reported.Store(reported)
	// While reports lag behind what sent was last seen to be, no epoch can
	// end, and sent need not be read again: it only grows.
	if reported+d.withdrawn.Load() < d.known {
		return
	}
	d.known = d.sent.Load()
	d.release()
}

// done reports whether every message sent has its report or was
// withdrawn.
func (d *deliveries) done() bool {
	return d.reported.Load()+d.withdrawn.Load() == d.sent.Load()
}

// release ends the epoch if every message sent has its report.
func (d *deliveries) release() {
	if !d.done() {
		return
	}
	d.mu.Lock()
	if !d.done() || d.count == 0 {
		d.mu.Unlock()
		return
	}
	d.end(d.failed)
}

// abandon ends the epoch with err, for a producer that will report no more.
func (d *deliveries) abandon(err error) {
	d.mu.Lock()
	d.end(err)
}

// end ends the epoch, with d.mu held, which it unlocks: it calls the done
// functions of the epoch with err.
func (d *deliveries) end(err error) {
	pending := d.pending
	d.pending, d.spare = d.spare, nil
	d.failed, d.full = nil, false
	d.count = 0
	d.mu.Unlock()
	var start int32
	for _, run := range pending {
		for range run.end - start - run.withdrawn {
			run.done(err)
		}
		start = run.end
	}
	clear(pending)
	d.mu.Lock()
	d.spare = pending[:0]
	d.mu.Unlock()
}
