package testkit

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// A Child is the test binary started again as a child process, running no
// test: its TestMain sees what to do in its environment. Its standard
// output is read line by line; its standard error goes to the test's log
// and is kept (see [Child.Stderr]). A child still running when its test
// ends is killed.
type Child struct {
	cmd    *exec.Cmd
	out    chan string // lines of its standard output; closed at its end
	done   chan error  // cmd.Wait's error, once out is closed
	stderr lockedBuffer
}

// StartChild starts the test binary as a child process with env added to
// this process's environment.
func StartChild(t testing.TB, env ...string) *Child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	c := &Child{cmd: cmd, out: make(chan string, 16), done: make(chan error, 1)}
	cmd.Stderr = io.MultiWriter(LogWriter(t, "child: "), &c.stderr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.out <- sc.Text()
		}
		close(c.out)
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// Line returns the child's next line of output; it fails the test if the
// child ends first, or ctx does.
func (c *Child) Line(t testing.TB, ctx context.Context) string {
	t.Helper()
	select {
	case l, ok := <-c.out:
		if !ok {
			t.Fatalf("the child ended: %v\n%s", <-c.done, c.Stderr())
		}
		return l
	case <-ctx.Done():
		t.Fatal("no output from the child")
	}
	return ""
}

// Kill kills the child with SIGKILL and waits for it to end; it fails the
// test if the child had ended cleanly already.
func (c *Child) Kill(t testing.TB) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for range c.out {
	}
	if err := <-c.done; err == nil {
		t.Fatal("the child exited cleanly before it was killed")
	}
}

// Stop stops the child with SIGTERM, waits for it to end and returns its
// last line of output; it fails the test if the child fails, or ctx ends
// first.
func (c *Child) Stop(t testing.TB, ctx context.Context) string {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	last, err := c.wait(t, ctx, "the child did not stop")
	if err != nil {
		t.Fatalf("the child failed: %v\n%s", err, c.Stderr())
	}
	return last
}

// WaitKilled waits for the child to die of a SIGKILL (its own, or
// another's); it fails the test if it ends otherwise, or ctx ends first.
func (c *Child) WaitKilled(t testing.TB, ctx context.Context) {
	t.Helper()
	if _, err := c.wait(t, ctx, "the child was not killed"); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the child ended with %v, want killed\n%s", err, c.Stderr())
	}
}

// Ended waits for the child to end, on its own, and returns how: nil for
// a clean exit. It fails the test if ctx ends first.
func (c *Child) Ended(t testing.TB, ctx context.Context) error {
	t.Helper()
	_, err := c.wait(t, ctx, "the child still runs")
	return err
}

// wait reads the child's output to its end, and returns its last line and
// how it ended; it fails the test with what if ctx ends first.
func (c *Child) wait(t testing.TB, ctx context.Context, what string) (last string, err error) {
	t.Helper()
	for {
		select {
		case l, ok := <-c.out:
			if !ok {
				return last, <-c.done
			}
			last = l
		case <-ctx.Done():
			t.Fatal(what)
		}
	}
}

// Stderr returns what the child has written to its standard error.
func (c *Child) Stderr() string { return c.stderr.String() }

// A lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// LogWriter returns a writer to t's log, each write logged after prefix:
// for a child process's standard error. Whoever writes must be done when
// the test ends, as the test's log then closes.
func LogWriter(t testing.TB, prefix string) io.Writer { return logWriter{t, prefix} }

type logWriter struct {
	t      testing.TB
	prefix string
}

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s%s", w.prefix, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
