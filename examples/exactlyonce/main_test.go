package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "app" { // an app process of the test
		main()
		return
	}
	os.Exit(m.Run())
}

// TestExactlyOnce runs a smaller version: kills lose nothing and
// duplicate nothing, in the output or in the counts.
func TestExactlyOnce(t *testing.T) {
	out := runExample(t, config{Messages: 5000, Kills: 3})
	want := "sent 5000, lost 0, duplicated 0, counts exact: true"
	if last := lastLine(out); last != want {
		t.Fatalf("last line %q, want %q\n%s", last, want, out)
	}
}

// TestAtLeastOnceDuplicates runs the same kills without transactions: the
// check sees duplicates, so it can fail.
func TestAtLeastOnceDuplicates(t *testing.T) {
	out := runExample(t, config{Messages: 5000, Kills: 3, AtLeastOnce: true})
	last := lastLine(out)
	var sent, lost, dup int
	var exact bool
	if _, err := fmt.Sscanf(last, "sent %d, lost %d, duplicated %d, counts exact: %t", &sent, &lost, &dup, &exact); err != nil {
		t.Fatalf("last line %q: %v\n%s", last, err, out)
	}
	if lost != 0 {
		t.Errorf("at-least-once lost %d messages\n%s", lost, out)
	}
	if dup == 0 && exact {
		t.Errorf("three kills at least once duplicated nothing: the check cannot tell\n%s", out)
	}
}

func runExample(t *testing.T, cfg config) string {
	t.Helper()
	var out bytes.Buffer
	cfg.Timeout, cfg.Out = 4*time.Minute, &out
	if err := coordinate(cfg); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	return out.String()
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}
