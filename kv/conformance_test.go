package kv_test

import (
	"testing"

	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/kv/kvtest"
)

func TestMemoryStore(t *testing.T) {
	kvtest.TestStore(t, func(t *testing.T) kv.Store {
		s := kv.NewMemory()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestRocksStore(t *testing.T) {
	kvtest.TestStore(t, func(t *testing.T) kv.Store {
		s, err := kv.OpenRocks(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
