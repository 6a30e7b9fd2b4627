package kv

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
)

// waits returns a channel that receives the key of every transaction of c
// that starts waiting for another.
func waits[K, V any](c *Cache[K, V]) <-chan string {
	ch := make(chan string, 16)
	c.locks.mu.Lock()
	c.locks.onWait = func(key string) { ch <- key }
	c.locks.mu.Unlock()
	return ch
}

// appendTo appends s to the value of key inside a transaction: read,
// sleep, write, the race the original's test provokes. inside, if not nil,
// is closed once the transaction holds the key, and proceed, if not nil, is
// waited for before the sleep.
func appendTo(ctx context.Context, c *Cache[string, string], key, s string, inside chan<- struct{}, proceed <-chan string) error {
	return c.Transaction(ctx, key, func() error {
		if inside != nil {
			close(inside)
		}
		v, err := c.Get(key)
		if err != nil {
			return err
		}
		if proceed != nil {
			<-proceed
		}
		time.Sleep(10 * time.Millisecond) // the original test's scenario: a slow read-modify-write
		return c.Set(key, v.OrEmpty()+s)
	})
}

// TestTransactionABBA is the original's test: two concurrent
// read-sleep-append transactions on one key give "ab", then "abba". Without
// the lock, the second would read before the first writes, and one of the
// appends would be lost.
func TestTransactionABBA(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		ctx := context.Background()
		waiting := waits(c)
		round := func(first, second string) {
			inside := make(chan struct{})
			errs := make(chan error, 2)
			go func() { errs <- appendTo(ctx, c, "k", first, inside, waiting) }()
			<-inside // the first holds the key; it reads, then waits for the second to wait
			go func() { errs <- appendTo(ctx, c, "k", second, nil, nil) }()
			for range 2 {
				must(t, <-errs)
			}
		}
		round("a", "b")
		if got, _ := c.Get("k"); got.OrEmpty() != "ab" {
			t.Fatalf("after a, b: %q, want ab", got.OrEmpty())
		}
		round("b", "a")
		if got, _ := c.Get("k"); got.OrEmpty() != "abba" {
			t.Fatalf("after b, a: %q, want abba", got.OrEmpty())
		}
		if n := c.locks.size(); n != 0 {
			t.Errorf("%d locks left in the table", n)
		}
	})
}

// TestTransactionOtherKeysDoNotWait holds one key in a long transaction and
// runs transactions on other keys meanwhile: none of them waits.
func TestTransactionOtherKeysDoNotWait(t *testing.T) {
	c := stringCache(store.NewMemory())
	waiting := waits(c)
	inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- c.Transaction(context.Background(), "long", func() error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside
	// Had any of these waited for "long", it would wait until the deadline
	// and fail: "long" is released only after them.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 1000 {
		key := "other" + strconv.Itoa(i)
		ran := false
		if err := c.Transaction(ctx, key, func() error { ran = true; return c.Set(key, "x") }); err != nil || !ran {
			t.Fatalf("transaction on %s while long is held: ran %v, %v", key, ran, err)
		}
	}
	select {
	case key := <-waiting:
		t.Errorf("a transaction on %q waited", key)
	default:
	}
	if n := c.locks.size(); n != 1 {
		t.Errorf("%d locks in the table while one key is held, want 1", n)
	}
	close(release)
	must(t, <-done)
}

func TestTransactionWaitEndsWithContext(t *testing.T) {
	c := stringCache(store.NewMemory())
	waiting := waits(c)
	inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- c.Transaction(context.Background(), "k", func() error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside

	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error)
	ran := false
	go func() { result <- c.Transaction(ctx, "k", func() error { ran = true; return nil }) }()
	<-waiting
	cancel()
	err := <-result
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("waiting transaction after cancel: %v, ran %v; want context.Canceled, not run", err, ran)
	}

	// The holder still holds the key; once it is done, the key is free.
	close(release)
	must(t, <-done)
	must(t, c.Transaction(context.Background(), "k", func() error { return nil }))
	if n := c.locks.size(); n != 0 {
		t.Errorf("%d locks left in the table", n)
	}
}

func TestTransactionDoesNotBlockPlainReadsAndWrites(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := stringCache(s)
		must(t, c.Set("k", "before"))
		inside, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			done <- c.Transaction(context.Background(), "k", func() error {
				close(inside)
				<-release
				return nil
			})
		}()
		<-inside
		if got, err := c.Get("k"); err != nil || got.OrEmpty() != "before" {
			t.Errorf("Get during a transaction = %v, %v", got, err)
		}
		must(t, c.Set("k", "during"))
		if got, _ := c.Get("k"); got.OrEmpty() != "during" {
			t.Errorf("Get after a Set during a transaction = %v", got)
		}
		must(t, c.Delete("k"))
		close(release)
		must(t, <-done)
	})
}

func TestTransactionReturnsErrorAndReleases(t *testing.T) {
	c := stringCache(store.NewMemory())
	boom := errors.New("boom")
	if err := c.Transaction(context.Background(), "k", func() error { return boom }); err != boom {
		t.Errorf("Transaction = %v, want fn's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not propagate")
			}
		}()
		c.Transaction(context.Background(), "k", func() error { panic("boom") })
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, c.Transaction(ctx, "k", func() error { return nil })) // not held by the panicking one
	if n := c.locks.size(); n != 0 {
		t.Errorf("%d locks left in the table", n)
	}
}

// TestTransactionCounter increments one counter from many goroutines: every
// increment counts.
func TestTransactionCounter(t *testing.T) {
	backends(t, func(t *testing.T, s store.Store) {
		c := New(s, codec.StringKey(), codec.Int[int]())
		const goroutines, each = 8, 50
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		for range goroutines {
			wg.Go(func() {
				for range each {
					err := c.Transaction(context.Background(), "n", func() error {
						n, err := c.Get("n")
						if err != nil {
							return err
						}
						return c.Set("n", n.OrEmpty()+1)
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got, _ := c.Get("n"); got.OrEmpty() != goroutines*each {
			t.Errorf("counter = %d, want %d", got.OrEmpty(), goroutines*each)
		}
		if n := c.locks.size(); n != 0 {
			t.Errorf("%d locks left in the table", n)
		}
	})
}
