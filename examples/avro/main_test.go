package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func Example() {
	main()
	// Output:
	// 🏆 trophy is worth 10 points
	// 📞 phone is worth 2 points
	// 🐟 fish is worth 5 points
	// 👌 ok is worth 1 points
}

func TestSchemaFile(t *testing.T) {
	c, err := newCodec("emoji.avsc")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Encode(Emoji{"fish", "🐟", 5})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decode(b)
	if err != nil || got != (Emoji{"fish", "🐟", 5}) {
		t.Fatalf("round trip gave %+v, %v", got, err)
	}
	if _, err := c.Decode(b[:len(b)-1]); err == nil {
		t.Fatal("decoding truncated bytes succeeded")
	}
}

func TestBadSchemaFile(t *testing.T) {
	if _, err := newCodec(filepath.Join(t.TempDir(), "missing.avsc")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing schema file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.avsc")
	if err := os.WriteFile(bad, []byte(`{"type": "record"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newCodec(bad); err == nil {
		t.Fatal("a schema without a name and fields was accepted")
	}
}
