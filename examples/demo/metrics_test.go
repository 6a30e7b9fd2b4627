package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/internal/testkit"
)

// TestMetricsServed runs the demo as `go run ./examples/demo -metrics
// ADDR` would: while it runs, /readyz answers 200 and /metrics has the
// messages consumed and the consumer lag of the emoji topic; Ctrl-C then
// stops it cleanly.
func TestMetricsServed(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-state", t.TempDir(), "-duration", "20s", "-every", "500ms", "-metrics", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var base string
	select {
	case line := <-lines:
		u, ok := strings.CutPrefix(line, "metrics: ")
		if !ok {
			t.Fatalf("the demo's first line is %q, want where it serves its metrics; stderr:\n%s", line, stderr.String())
		}
		base = strings.TrimSuffix(strings.Fields(u)[0], "/metrics")
	case <-time.After(30 * time.Second):
		t.Fatalf("the demo printed nothing; stderr:\n%s", stderr.String())
	}
	go func() { // keep the pipe drained
		for range lines {
		}
	}()

	testkit.Eventually(t, 30*time.Second, "/readyz did not answer 200", func() bool {
		code, _ := fetch(base + "/readyz")
		return code == 200
	})
	var body string
	testkit.Eventually(t, 30*time.Second, "/metrics has no consumer lag of topic emoji", func() bool {
		_, body = fetch(base + "/metrics")
		return strings.Contains(body, `slipstream_consumer_lag{app="demo-consumer",partition="0",topic="emoji"}`)
	})
	for _, want := range []string{
		`slipstream_messages_consumed_total{app="demo-consumer",partition="`,
		`slipstream_messages_produced_total{app="demo-producer",topic="emoji"}`,
		`slipstream_table_partitions_held{app="demo-consumer",table="counts"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %s in:\n%s", want, body)
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the demo ended with %v after SIGINT; stderr:\n%s", err, stderr.String())
	}
}

// fetch returns the status and body of a GET of url, 0 if it fails.
func fetch(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Output redirected to /dev/null is not a terminal: no progress bar is
// drawn there.
func TestDevNullIsNoTerminal(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Errorf("%s counts as a terminal", os.DevNull)
	}
}
