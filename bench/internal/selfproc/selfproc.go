// Package selfproc runs the running executable again as a helper process,
// such as a benchmark's broker, kept apart so that it does not share the
// measured process's cores and garbage collector. The helper writes one
// line when it is ready (its address) and ends when its standard input
// closes.
package selfproc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// A Process is a helper process started by [Start].
type Process struct {
	cmd   *exec.Cmd
	stdin io.Closer
}

// Start runs the executable again with env added to its environment, and
// returns once the helper has written its first line, which it returns
// too. what names the helper in errors.
func Start(what string, env ...string) (*Process, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("starting the %s process: %w", what, err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting the %s process: %w", what, err)
	}
	p := &Process{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		p.Stop()
		return nil, "", fmt.Errorf("the %s process did not say it was ready: %w", what, err)
	}
	return p, strings.TrimSpace(line), nil
}

// Stop closes the helper's standard input, which tells it to end, and
// waits for it.
func (p *Process) Stop() {
	p.stdin.Close()
	_ = p.cmd.Wait()
}
