// Package examplepb holds the Protobuf messages of the registry package's
// tests and examples, generated from order.proto and money.proto. order.proto
// imports money.proto, so a registered Order schema has a reference, and a
// well-known type, which the registry knows already.
//
// Regenerate with protoc (Debian: protobuf-compiler) and protoc-gen-go
// (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12) on PATH:
//
//	go generate ./codec/registry/internal/examplepb
package examplepb

//go:generate protoc --proto_path=.. --go_out=.. --go_opt=paths=source_relative examplepb/money.proto examplepb/order.proto
