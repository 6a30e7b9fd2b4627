package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	serveBrokerIfChild()
	os.Exit(m.Run())
}

// TestRun soaks for a few seconds: the app moves messages, and the report
// has its rows and its summary.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker process and runs for seconds")
	}
	var out strings.Builder
	err := run(context.Background(), &out, config{
		duration: 4 * time.Second, every: time.Second, warmup: 2 * time.Second, backlog: 20000,
		conf: map[string]any{"queued.min.messages": "5000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"RSS MiB", "C in use", "minute by minute", "mean after the warm-up", "msgs/s on average"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in the report:\n%s", want, got)
		}
	}
	if m := regexp.MustCompile(`; (\d+) msgs/s on average`).FindStringSubmatch(got); m == nil || m[1] == "0" {
		t.Errorf("nothing handled after the warm-up:\n%s", got)
	}
	t.Log("\n" + got)
}

func TestConfFlag(t *testing.T) {
	var c confFlag
	if err := c.Set("queued.min.messages=1000"); err != nil || c["queued.min.messages"] != "1000" {
		t.Fatalf("Set = %v, conf %v", err, c)
	}
	if err := c.Set("nokey"); err == nil {
		t.Fatal("Set took a flag without =")
	}
}
