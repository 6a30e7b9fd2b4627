//go:build !cgo

package store

import (
	"errors"
	"fmt"
)

// errNoCgo explains why the RocksDB backend is missing from this build.
var errNoCgo = errors.New("the RocksDB backend needs cgo: build with CGO_ENABLED=1 and the RocksDB C library installed (Debian/Ubuntu: apt-get install librocksdb-dev)")

// OpenRocks would open the RocksDB database at path, but this program was
// built without cgo, so it returns an error that says how to build it with
// RocksDB. [NewMemory] works without cgo.
func OpenRocks(path string, opts *RocksOptions) (Store, error) {
	return nil, fmt.Errorf("kv: open RocksDB at %s: %w", path, errNoCgo)
}

// RepairRocks would repair the RocksDB database at path, but this program
// was built without cgo; see [OpenRocks].
func RepairRocks(path string, opts *RocksOptions) error {
	return fmt.Errorf("kv: repair RocksDB at %s: %w", path, errNoCgo)
}
