// Transaction: read-modify-write on a Cache key without races.
//
// While a transaction holds a key, other transactions on that key wait;
// transactions on other keys, and plain reads and writes, do not.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

func main() {
	dir, err := os.MkdirTemp("", "slipstream-transaction-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(dir); err != nil {
		log.Fatal(err)
	}
}

func run(path string) error {
	cache, err := kv.Open(path, codec.StringKey(), codec.String(), nil)
	if err != nil {
		return err
	}
	defer cache.Close()
	ctx := context.Background()

	err = cache.Transaction(ctx, "fish", func() error {
		return cache.Set("fish", "🐟")
	})
	if err != nil {
		return err
	}
	if err := show(cache, "fish"); err != nil {
		return err
	}

	// Four goroutines append a fish each: each reads the value and writes
	// it back longer. Inside transactions, no append is lost.
	appendFish := func() error {
		return cache.Transaction(ctx, "fish", func() error {
			fish, err := cache.Get("fish")
			if err != nil {
				return err
			}
			return cache.Set("fish", fish.OrEmpty()+"🐟")
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- appendFish() })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return show(cache, "fish")
}

func show(cache *kv.Cache[string, string], key string) error {
	v, err := cache.Get(key)
	if err != nil {
		return err
	}
	fmt.Println(key, v.OrEmpty())
	return nil
}
