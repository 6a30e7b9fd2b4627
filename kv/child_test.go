package kv

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv/store"
)

// The crash and lock tests run a second process: the test binary itself,
// started with childEnv set to the child's name and childPathEnv to the
// database's path. TestMain sends such a process to runChild.
const (
	childEnv     = "KV_TEST_CHILD"
	childPathEnv = "KV_TEST_PATH"
)

// runChild runs the child process called name and returns its exit code.
func runChild(name string) int {
	path := os.Getenv(childPathEnv)
	var err error
	switch name {
	case "writer":
		err = childWriter(path)
	case "holder":
		err = childHolder(path)
	default:
		err = fmt.Errorf("unknown child %q", name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// childWriter writes key i with value "value i", for i = 0, 1, ..., with
// sync on, and prints i on standard output once the write has returned:
// once it is acknowledged. It runs until it is killed.
func childWriter(path string) error {
	c, err := Open(path, codec.Int[int](), codec.String(), &Options{Sync: true})
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		if err := c.Set(i, "value "+strconv.Itoa(i)); err != nil {
			return err
		}
		if _, err := fmt.Fprintln(os.Stdout, i); err != nil { // os.Stdout is not buffered
			return err
		}
	}
}

// childHolder opens the database, prints "open", and holds it open until
// its standard input closes.
func childHolder(path string) error {
	s, err := store.OpenRocks(path, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Println("open")
	_, err = io.Copy(io.Discard, os.Stdin)
	return err
}

// startChild starts the child process called name on the database at path.
func startChild(t *testing.T, name, path string) (cmd *exec.Cmd, stdin io.WriteCloser, stdout *bufio.Scanner) {
	t.Helper()
	exe, err := os.Executable()
	must(t, err)
	cmd = exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+name, childPathEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err = cmd.StdinPipe()
	must(t, err)
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	return cmd, stdin, bufio.NewScanner(out)
}

// TestCrashWithSync kills a process writing with sync on, mid-stream, with
// SIGKILL: the database it leaves opens, is readable throughout, and holds
// every write the process had acknowledged.
func TestCrashWithSync(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "db")
	cmd, _, out := startChild(t, "writer", path)
	acked := -1
	for out.Scan() {
		n, err := strconv.Atoi(out.Text())
		if err != nil {
			t.Fatalf("child said %q", out.Text())
		}
		acked = n
		if acked == 1000 {
			must(t, cmd.Process.Signal(syscall.SIGKILL))
			break
		}
	}
	for out.Scan() { // acknowledged before the kill landed
		n, err := strconv.Atoi(out.Text())
		if err == nil {
			acked = n
		}
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the child did not die of SIGKILL: %v (last acknowledged write %d)", err, acked)
	}
	if acked < 1000 {
		t.Fatalf("the child acknowledged only %d writes", acked+1)
	}

	s, err := store.OpenRocks(path, &store.RocksOptions{ErrorIfMissing: true})
	if err != nil {
		t.Fatalf("reopening after the crash: %v", err)
	}
	c := New(s, codec.Int[int](), codec.String())
	defer c.Close()
	for i := 0; i <= acked; i++ {
		got, err := c.Get(i)
		if err != nil || got != mo.Some("value "+strconv.Itoa(i)) {
			t.Fatalf("acknowledged write %d: %v, %v", i, got, err)
		}
	}
	// Not corrupt: every key decodes, in order, with no gap; writes the
	// child made but had not acknowledged may be there too.
	next := 0
	it := c.Iter()
	for k, v := range it.Items() {
		if k != next || v != "value "+strconv.Itoa(k) {
			t.Fatalf("key %d = %q, want key %d", k, v, next)
		}
		next++
	}
	must(t, it.Err())
	if next <= acked {
		t.Errorf("iteration found %d keys, want at least %d", next, acked+1)
	}
	// And it takes writes again.
	must(t, c.Set(next, "after the crash"))
	t.Logf("child acknowledged %d writes; %d found", acked+1, next)
}

// TestOpenLockedByAnotherProcess: opening a database that another process
// holds open fails with an error that names the path, and succeeds once
// that process has let go.
func TestOpenLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	cmd, stdin, out := startChild(t, "holder", path)
	if !out.Scan() || out.Text() != "open" {
		stdin.Close()
		cmd.Wait()
		t.Fatalf("the child did not open the database: %q", out.Text())
	}
	_, err := Open(path, codec.StringKey(), codec.String(), nil)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Errorf("opening a database held by another process = %v; want ErrLocked, naming %s", err, path)
	}
	stdin.Close()
	must(t, cmd.Wait())
	c, err := Open(path, codec.StringKey(), codec.String(), nil)
	must(t, err)
	must(t, c.Close())
}

func TestOpenLockedInThisProcess(t *testing.T) {
	path := t.TempDir()
	openRocks(t, path, nil)
	_, err := Open(path, codec.StringKey(), codec.String(), nil)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Errorf("opening a database twice = %v; want ErrLocked, naming %s", err, path)
	}
}

func TestOpenPlainFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	must(t, os.WriteFile(path, []byte("not a database\n"), 0o644))
	_, err := Open(path, codec.StringKey(), codec.String(), nil)
	if !errors.Is(err, ErrNotDatabase) || !strings.Contains(err.Error(), path) {
		t.Errorf("opening a plain file = %v; want ErrNotDatabase, naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "not a database\n" {
		t.Errorf("the file was changed: %q", b)
	}
}
