// Package store is the storage layer beneath package kv: ordered maps of
// bytes to bytes, as package database/sql/driver is beneath database/sql.
// A program that only needs a Cache does not import it; one that tunes
// RocksDB, or adds a backend, does.
//
// A [Store] is one column family of a database: Get, Put, Delete,
// DeleteRange, atomic [WriteBatch]es across the families of one database,
// consistent [View]s (snapshots), and [Cursor]s that walk the keys in byte
// order, within bounds, in either direction. Two backends implement it:
//
//   - [OpenRocks] opens a RocksDB database on disk, configured by
//     [RocksOptions]: every knob of the original slipstream Cache, and any
//     other RocksDB option through [RocksOptions.Raw].
//   - [NewMemory] makes one in memory, with the same behaviour, for tests.
//
// Both pass the conformance suite of package
// [github.com/slipstream-go/slipstream/kv/store/storetest], which any new
// backend should pass too. kv.New puts a typed Cache on any Store:
//
//	s, err := store.OpenRocks("state/prices", &store.RocksOptions{
//		Compression:     store.ZSTD,
//		WriteBufferSize: 64 << 20,
//	})
//	if err != nil {
//		return err
//	}
//	prices := kv.New(s, codec.StringKey(), codec.JSON[Price]())
//	defer prices.Close()
//
// The RocksDB backend needs cgo and the RocksDB C library 7.8 (Debian and
// Ubuntu: librocksdb-dev), through github.com/linxGnu/grocksdb v1.7.15.
// Built without cgo, [OpenRocks] returns an error that says so, and the
// functions that hand out grocksdb types ([RocksOptions.Grocksdb],
// [RocksDB]) are missing.
package store
