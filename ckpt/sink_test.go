package ckpt_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// A weather update, stored by time for the activities to read.
type weatherUpdate struct {
	Time  time.Time
	Emoji string
}

type weatherEntry = kv.Entry[time.Time, string]

func byTime(u weatherUpdate) weatherEntry { return kv.NewEntry(u.Time, u.Emoji) }
func entryTime(e weatherEntry) time.Time  { return e.Key }
func discard() *slog.Logger               { return slog.New(slog.DiscardHandler) }
func hhmm(t time.Time) string             { return t.Format("15:04") }

// A slowStore stores entries in a cache, and holds the one at slowAt until
// released: a store slow to accept, whose pace the test sets.
type slowStore struct {
	cache   *kv.Cache[time.Time, string]
	slowAt  time.Time
	storing chan struct{} // closed when the slow entry arrives
	release func()        // lets the slow entry in; safe to call more than once
	held    chan struct{} // closed by release
	stored  chan time.Time
}

func newSlowStore(slowAt time.Time) *slowStore {
	held := make(chan struct{})
	return &slowStore{
		cache:   kv.NewMemory(codec.Time(), codec.String()),
		slowAt:  slowAt,
		storing: make(chan struct{}),
		held:    held,
		release: sync.OnceFunc(func() { close(held) }),
		stored:  make(chan time.Time, 16),
	}
}

func (s *slowStore) Send(ctx context.Context, e weatherEntry) error {
	if e.Key.Equal(s.slowAt) {
		close(s.storing)
		select {
		case <-s.held:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := s.cache.Send(ctx, e); err != nil {
		return err
	}
	s.stored <- e.Key
	return nil
}

// enrichAfterRecovery runs the story of issue 19 in an app: activities
// enriched with the weather stored before them, the weather stream down,
// the activities paused, and the weather back with an update (13:00, 🌧)
// that a slow store holds. wire binds the weather handler, storing to
// store and heartbeating c. It returns what the activity at 13:10, which
// waited out the downtime, was enriched with, and whether the weather had
// recovered when the store took its update.
//
// The store holds the 13:00 update until the test lets it in, or, failing
// that, until the activity at 13:10 has been enriched: so if the checkpoint
// resumes the activities before the update is stored, the activity reads
// the weather before it, every time, with no sleep deciding.
func enrichAfterRecovery(t *testing.T, wire func(app *stream.App, updates stream.Source[weatherUpdate], c *ckpt.TimeCheckpoint, store *slowStore)) (lunch string, early bool) {
	ctx := testkit.Context(t, 20*time.Second)
	activities := make(chan time.Time, 4)
	updates := make(chan weatherUpdate)
	dependent := stream.From(source.Chan(activities))
	c, err := ckpt.New("activity", dependent,
		[]*ckpt.TimeDependency{ckpt.NewDependency("weather", ckpt.WithThreshold(time.Hour))},
		&ckpt.TimeOptions{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	store := newSlowStore(at(13, 0))
	out := make(chan string, 8)
	app := stream.NewApp()
	stream.Handle(app, dependent, stream.FuncErr(func(ctx context.Context, a time.Time) (string, error) {
		weather, err := store.cache.Iter().From(a).Reverse().First()
		if err != nil {
			return "", err
		}
		emoji := "?"
		if e, ok := weather.Get(); ok {
			emoji = e.Value
		}
		if a.Equal(at(13, 10)) {
			store.release()
		}
		_, _, err = c.CheckPulse(ctx, a, nil)
		return fmt.Sprintf("activity %s: %s", hhmm(a), emoji), err
	}), sink.Chan(out))
	wire(app, source.Chan(updates), c, store)
	errc := make(chan error, 1)
	go func() { errc <- app.Run(ctx) }()

	next := func() string {
		t.Helper()
		select {
		case s := <-out:
			return s
		case err := <-errc:
			t.Fatalf("the app ended: %v", err)
		case <-ctx.Done():
			t.Fatal("timed out")
		}
		return ""
	}
	expect := func(want string) {
		t.Helper()
		if got := next(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	send := func(u weatherUpdate) {
		t.Helper()
		select {
		case updates <- u:
		case <-ctx.Done():
			t.Fatal("timed out")
		}
	}

	send(weatherUpdate{at(10, 0), "🌞"})
	<-store.stored
	activities <- at(10, 30)
	expect("activity 10:30: 🌞")
	activities <- at(12, 30) // an hour and a half past the weather: down
	expect("activity 12:30: 🌞")
	if !dependent.Paused() {
		t.Fatal("the activities are not paused")
	}
	activities <- at(13, 10) // waits for the weather
	send(weatherUpdate{at(13, 0), "🌧"})
	<-store.storing
	if early = !c.Down(); !early {
		store.release()
	}
	lunch = next()
	close(activities)
	close(updates)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return lunch, early
}

// TestHeartbeatSinkResumesOnceStored: a dependency's heartbeat that ends
// a downtime must come after its output is stored, or the dependent,
// resumed, reads the data before it. A HeartbeatSink makes that order; the
// wiring the package doc showed before, a heartbeat from the handler,
// lets the waiting activity read the previous weather.
func TestHeartbeatSinkResumesOnceStored(t *testing.T) {
	got, early := enrichAfterRecovery(t, func(app *stream.App, updates stream.Source[weatherUpdate], c *ckpt.TimeCheckpoint, store *slowStore) {
		stream.Handle(app, updates, stream.Func(byTime), ckpt.NewHeartbeatSink(c, store, entryTime))
	})
	if early {
		t.Error("the weather recovered before its update was stored")
	}
	if want := "activity 13:10: 🌧"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestHeartbeatFromTheHandlerIsTooEarly shows the race the HeartbeatSink
// closes, with the same story: the handler's heartbeat resumes the
// activities while the store still holds the update, and the activity
// that waited is enriched with the weather before it.
func TestHeartbeatFromTheHandlerIsTooEarly(t *testing.T) {
	got, early := enrichAfterRecovery(t, func(app *stream.App, updates stream.Source[weatherUpdate], c *ckpt.TimeCheckpoint, store *slowStore) {
		stream.Handle(app, updates, stream.FuncErr(func(ctx context.Context, u weatherUpdate) (weatherEntry, error) {
			_, err := c.Heartbeat(ctx, u.Time)
			return byTime(u), err
		}), store)
	})
	if !early {
		t.Error("the weather was still down when the store took its update")
	}
	if want := "activity 13:10: 🌞"; got != want {
		t.Errorf("got %q, want %q: the race this test shows did not happen", got, want)
	}
}

// An asyncStore takes entries and accepts them when the test says, as a
// Kafka topic does on its delivery report.
type asyncStore struct {
	mu    sync.Mutex
	dones []func(error)
	taken []weatherEntry
}

func (s *asyncStore) Send(context.Context, weatherEntry) error { return errors.New("not used") }

func (s *asyncStore) SendAsync(_ context.Context, e weatherEntry, done func(error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.taken = append(s.taken, e)
	s.dones = append(s.dones, done)
	return nil
}

// accept reports entry i accepted with err.
func (s *asyncStore) accept(i int, err error) {
	s.mu.Lock()
	done := s.dones[i]
	s.mu.Unlock()
	done(err)
}

var _ streamio.AsyncSink[weatherEntry] = (*ckpt.HeartbeatSink[weatherEntry, time.Time, time.Duration])(nil)

func TestHeartbeatSinkHeartbeatsOnceAnAsyncStoreAccepts(t *testing.T) {
	ctx := context.Background()
	c, _ := newTime(t, nil)
	store := &asyncStore{}
	var latencies []ckpt.Latency[time.Time]
	s := ckpt.NewHeartbeatSink(c, store, entryTime).OnHeartbeat(func(_ context.Context, _ weatherEntry, l ckpt.Latency[time.Time]) error {
		latencies = append(latencies, l)
		return nil
	})
	var results []error
	done := func(err error) { results = append(results, err) }
	for _, e := range []weatherEntry{kv.NewEntry(at(10, 0), "🌞"), kv.NewEntry(at(11, 0), "⛅")} {
		if err := s.SendAsync(ctx, e, done); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := c.Dependency("dependency").Marker(); ok || len(results) != 0 {
		t.Fatalf("a heartbeat before the store accepted: results %v", results)
	}
	store.accept(0, nil)
	if m, _ := c.Dependency("dependency").Marker(); !m.Equal(at(10, 0)) || len(results) != 1 || results[0] != nil {
		t.Fatalf("after the first acceptance: marker %v, results %v", m, results)
	}
	lost := errors.New("lost")
	store.accept(1, lost)
	if m, _ := c.Dependency("dependency").Marker(); !m.Equal(at(10, 0)) || len(results) != 2 || !errors.Is(results[1], lost) {
		t.Fatalf("after a lost entry: marker %v, results %v", m, results)
	}
	if len(latencies) != 1 || !latencies[0].DependencyMarker.Equal(at(10, 0)) {
		t.Fatalf("OnHeartbeat saw %v", latencies)
	}
}

// A recordingStore records, for each entry it stores, the dependency's
// marker at that moment, and fails on the entries of failAt.
type recordingStore struct {
	c      *ckpt.TimeCheckpoint
	failAt time.Time
	seen   []string
}

func (s *recordingStore) Send(_ context.Context, e weatherEntry) error {
	if e.Key.Equal(s.failAt) {
		return errors.New("store full")
	}
	m, ok := s.c.Dependency("dependency").Marker()
	s.seen = append(s.seen, fmt.Sprintf("%s with the marker at %s %v", hhmm(e.Key), hhmm(m), ok))
	return nil
}

func TestHeartbeatSinkStoresFirst(t *testing.T) {
	ctx := context.Background()
	for _, async := range []bool{false, true} {
		c, _ := newTime(t, nil)
		store := &recordingStore{c: c, failAt: at(12, 0)}
		s := ckpt.NewHeartbeatSink(c, store, entryTime)
		send := func(e weatherEntry) error {
			if !async {
				return s.Send(ctx, e)
			}
			var result error
			if err := s.SendAsync(ctx, e, func(err error) { result = err }); err != nil {
				return err
			}
			return result
		}
		for _, e := range []weatherEntry{kv.NewEntry(at(10, 0), "🌞"), kv.NewEntry(at(11, 0), "⛅")} {
			if err := send(e); err != nil {
				t.Fatal(err)
			}
		}
		if err := send(kv.NewEntry(at(12, 0), "🌦️")); err == nil || !strings.Contains(err.Error(), "store full") {
			t.Fatalf("async %v: a failed store gave %v", async, err)
		}
		want := "[10:00 with the marker at 00:00 false 11:00 with the marker at 10:00 true]"
		if got := fmt.Sprint(store.seen); got != want {
			t.Errorf("async %v: stored %s, want %s", async, got, want)
		}
		if m, _ := c.Dependency("dependency").Marker(); !m.Equal(at(11, 0)) {
			t.Errorf("async %v: heartbeat after a failed store: marker %v", async, m)
		}
	}
}

func TestHeartbeatSinkFailsWithItsHeartbeat(t *testing.T) {
	ctx := context.Background()
	c, _ := newTwo(t, nil)
	store := kv.NewMemory(codec.Time(), codec.String())
	if err := ckpt.NewHeartbeatSink(c, store, entryTime).Send(ctx, kv.NewEntry(at(10, 0), "🌞")); !errors.Is(err, ckpt.ErrDependencyNameNeeded) {
		t.Fatalf("no name with two dependencies: %v", err)
	}
	if err := ckpt.NewHeartbeatSink(c, store, entryTime, "extra").Send(ctx, kv.NewEntry(at(10, 0), "🌞")); err != nil {
		t.Fatal(err)
	}
	if m, _ := c.Dependency("extra").Marker(); !m.Equal(at(10, 0)) {
		t.Fatalf("extra's marker %v", m)
	}
	late := errors.New("late")
	s := ckpt.NewHeartbeatSink(c, store, entryTime, "extra").OnHeartbeat(func(context.Context, weatherEntry, ckpt.Latency[time.Time]) error { return late })
	var result error
	if err := s.SendAsync(ctx, kv.NewEntry(at(10, 5), "🌞"), func(err error) { result = err }); err != nil || !errors.Is(result, late) {
		t.Fatalf("OnHeartbeat's error: SendAsync %v, done %v", err, result)
	}
}

func TestHeartbeatSinkIsItsStoreToTheApp(t *testing.T) {
	c, _ := newTime(t, nil)
	store := kv.NewMemory(codec.Time(), codec.String())
	s := ckpt.NewHeartbeatSink(c, store, entryTime)
	if s.Origin() != any(store) {
		t.Fatalf("Origin = %v", s.Origin())
	}
	if got, want := s.String(), store.String()+", then a heartbeat of checkpoint test"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
}
