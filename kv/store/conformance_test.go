package store_test

import (
	"testing"

	"github.com/slipstream-go/slipstream/kv/store"
	"github.com/slipstream-go/slipstream/kv/store/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) store.Store {
		s := store.NewMemory()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRocksStore(t *testing.T) {
	storetest.TestStore(t, func(t *testing.T) store.Store {
		s, err := store.OpenRocks(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
