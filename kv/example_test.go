package kv_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "kv-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	cache, err := kv.Open(dir, codec.StringKey(), codec.String(), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()

	if err := cache.Set("prize", "🏆"); err != nil {
		log.Fatal(err)
	}
	prize, err := cache.Get("prize")
	if err != nil {
		log.Fatal(err)
	}
	phone, err := cache.Get("phone")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(prize.OrElse("none"), phone.OrElse("none"))
	// Output: 🏆 none
}

func ExampleIterator() {
	cache := kv.NewMemory(codec.StringKey(), codec.Int[int]())
	for i, name := range []string{"user:ann", "user:bob", "group:admins", "user:cy"} {
		if err := cache.Set(name, i); err != nil {
			log.Fatal(err)
		}
	}

	users := cache.Iter().Prefix("user:").Reverse()
	for k, v := range users.Items() {
		fmt.Println(k, v)
	}
	if err := users.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// user:cy 3
	// user:bob 1
	// user:ann 0
}

// Integer keys, with the order-preserving codec.Int, sort in numeric order.
func ExampleIterator_From() {
	cache := kv.NewMemory(codec.Int[int](), codec.String())
	for _, n := range []int{100, -1, 9, 10} {
		if err := cache.Set(n, fmt.Sprint("n=", n)); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(slices.Collect(cache.Iter().Keys()))
	fmt.Println(slices.Collect(cache.Iter().From(9).Keys()))
	fmt.Println(slices.Collect(cache.Iter().From(9).Reverse().Keys()))
	// Output:
	// [-1 9 10 100]
	// [9 10 100]
	// [9 -1]
}

// A temporal join: the latest entry at or before a time.
func ExampleIterator_First() {
	weather := kv.NewMemory(codec.Time(), codec.String())
	at := func(hh, mm int) time.Time { return time.Date(2024, 6, 1, hh, mm, 0, 0, time.UTC) }
	weather.Set(at(10, 0), "🌞")
	weather.Set(at(11, 0), "⛅")

	w, err := weather.Iter().From(at(10, 30)).Reverse().First()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.MustGet().Value)
	// Output: 🌞
}

// Events keyed by time and ID: two events of one instant both stay, and a
// range of times reads them in order, forwards or backwards.
func ExampleIterator_Range() {
	type key = codec.Pair[time.Time, string]
	events := kv.NewMemory(codec.PairKey(codec.Time(), codec.StringKey()), codec.String())
	at := func(hh, mm int) time.Time { return time.Date(2024, 6, 1, hh, mm, 0, 0, time.UTC) }
	for _, e := range []struct {
		key  key
		what string
	}{
		{codec.NewPair(at(9, 0), "e1"), "door opened"},
		{codec.NewPair(at(10, 0), "e2"), "login ann"},
		{codec.NewPair(at(10, 0), "e3"), "login bob"}, // same instant, kept
		{codec.NewPair(at(11, 0), "e4"), "logout ann"},
	} {
		if err := events.Set(e.key, e.what); err != nil {
			log.Fatal(err)
		}
	}

	// From 10:00 to 11:00, excluded: "" is the smallest ID.
	hour := events.Iter().Range(codec.NewPair(at(10, 0), ""), codec.NewPair(at(11, 0), ""))
	for k, v := range hour.Items() {
		fmt.Println(k.First.Format(time.Kitchen), k.Second, v)
	}
	// The latest event before 11:00.
	last, err := events.Iter().To(codec.NewPair(at(11, 0), "")).Reverse().First()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(last.MustGet().Value)
	// Output:
	// 10:00AM e2 login ann
	// 10:00AM e3 login bob
	// login bob
}

func ExampleCache_Transaction() {
	counts := kv.NewMemory(codec.StringKey(), codec.Int[int]())
	ctx := context.Background()
	increment := func() error {
		return counts.Transaction(ctx, "visits", func() error {
			n, err := counts.Get("visits")
			if err != nil {
				return err
			}
			return counts.Set("visits", n.OrEmpty()+1)
		})
	}
	done := make(chan error)
	for range 10 {
		go func() { done <- increment() }()
	}
	for range 10 {
		if err := <-done; err != nil {
			log.Fatal(err)
		}
	}
	n, _ := counts.Get("visits")
	fmt.Println(n.MustGet())
	// Output: 10
}

func ExampleCache_Batch() {
	prices := kv.NewMemory(codec.StringKey(), codec.Int[int]())
	b := prices.Batch()
	b.Set("apple", 120)
	b.Set("pear", 90)
	b.Delete("plum")
	if err := b.Commit(); err != nil {
		log.Fatal(err)
	}
	for k, v := range prices.Iter().Items() {
		fmt.Println(k, v)
	}
	// Output:
	// apple 120
	// pear 90
}

// The Cache as a sink of entries, and as a source of its writes.
func ExampleCache_Subscribe() {
	prices := kv.NewMemory(codec.StringKey(), codec.Int[int]())
	app := stream.NewApp()
	// One handler writes to the cache...
	stream.Handle(app, source.Values("apple", "pear"), stream.Func(func(fruit string) kv.Entry[string, int] {
		return kv.NewEntry(fruit, len(fruit))
	}), prices)
	// ...another sees every write. The app ends once the writer has.
	stream.Handle(app, prices, stream.Do(func(e kv.Entry[string, int]) {
		fmt.Println("set", e.Key, e.Value)
	}))
	if err := app.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// set apple 5
	// set pear 4
}
