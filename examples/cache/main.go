// Cache: persistent key-value state, on RocksDB.
//
// The cache keeps its data on disk: closed and opened again (as after a
// restart), it still holds what was written. Keys come back in order.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

func main() {
	dir, err := os.MkdirTemp("", "slipstream-cache-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(filepath.Join(dir, "db")); err != nil {
		log.Fatal(err)
	}
}

func run(path string) error {
	cache, err := kv.Open(path, codec.StringKey(), codec.String(), nil)
	if err != nil {
		return err
	}
	if err := cache.Set("prize", "🏆"); err != nil {
		return err
	}
	if err := cache.Set("phone", "📞"); err != nil {
		return err
	}
	if err := cache.Close(); err != nil {
		return err
	}

	// A restart: the data is loaded from disk.
	cache, err = kv.Open(path, codec.StringKey(), codec.String(), nil)
	if err != nil {
		return err
	}
	defer cache.Close()
	items := cache.Iter()
	for x, y := range items.Items() {
		fmt.Println(x, y)
	}
	return items.Err()
}
