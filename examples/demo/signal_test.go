package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// childEnv makes this test binary run the demo's main instead of its tests:
// TestCtrlCDrains runs the demo as a process of its own, to signal it.
const childEnv = "SLIPSTREAM_DEMO_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		main()
		os.Exit(0) // as main returning does
	}
	os.Exit(m.Run())
}

// TestCtrlCDrains sends SIGINT to the demo, as Ctrl-C does, while it sends
// and counts: it must stop sending, count everything it sent, print its
// summary and exit with status 0.
func TestCtrlCDrains(t *testing.T) {
	for i := range 3 {
		sent, counted := ctrlC(t, time.Duration(1000+700*i)*time.Millisecond)
		t.Logf("interrupted after %v: sent %d, counted %d", time.Duration(1000+700*i)*time.Millisecond, sent, counted)
		if sent == 0 || counted != sent {
			t.Errorf("the demo sent %d and counted %d: every message sent must be counted", sent, counted)
		}
	}
}

// ctrlC runs the demo, sends it SIGINT once it has counted something and
// after, then returns its summary's figures.
func ctrlC(t *testing.T, after time.Duration) (sent, counted int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-state", t.TempDir(), "-duration", "1m", "-every", "200ms", "-rate", "1000")
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
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out []string
	timeout := time.After(60 * time.Second)
	signalled := false
	for line := range lines {
		out = append(out, line)
		if !signalled && strings.HasPrefix(line, "emoji counts: map[") {
			signalled = true
			time.Sleep(after)
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-timeout:
			cmd.Process.Kill()
			t.Fatalf("the demo did not stop; it printed:\n%s", strings.Join(out, "\n"))
		default:
		}
	}
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("the demo ended with %v after SIGINT; it printed:\n%s\n%s", err, strings.Join(out, "\n"), stderr.String())
	}
	for _, line := range out {
		var took string
		if _, err := fmt.Sscanf(line, "done in %s sent %d, counted %d", &took, &sent, &counted); err == nil {
			return sent, counted
		}
	}
	t.Fatalf("no summary in what the demo printed:\n%s", strings.Join(out, "\n"))
	return 0, 0
}
