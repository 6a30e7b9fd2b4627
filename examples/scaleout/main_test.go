package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "consumer" { // a consumer process of the test
		main()
		return
	}
	os.Exit(m.Run())
}

// TestScaleout runs a smaller version: nothing is lost when a consumer is
// killed, and the survivors' tables hold every key.
func TestScaleout(t *testing.T) {
	var out bytes.Buffer
	if err := coordinate(config{Messages: 6000, Keys: 12, Timeout: 3 * time.Minute, Out: &out}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "sent 6000, counted 6000, lost 0, over-counted ") {
		t.Fatalf("last line %q, want sent 6000, counted 6000, lost 0\n%s", last, out.String())
	}
	if !strings.Contains(out.String(), "key-11 ") {
		t.Errorf("no total for key-11:\n%s", out.String())
	}
	t.Log(out.String())
}
