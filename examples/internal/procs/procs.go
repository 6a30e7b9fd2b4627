// Package procs runs the child processes of the multi-process examples
// (scaleout, exactlyonce): a standalone broker, and the example program
// itself again in another role.
package procs

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// A Process is a child process whose standard output is read line by
// line; its standard error is the parent's.
type Process struct {
	Cmd   *exec.Cmd
	lines chan string
}

// Start starts cmd.
func Start(cmd *exec.Cmd) (*Process, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{Cmd: cmd, lines: make(chan string, 16)}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	return p, nil
}

// Line returns the process's next line of output.
func (p *Process) Line(ctx context.Context) (string, error) {
	select {
	case l, ok := <-p.lines:
		if !ok {
			return "", fmt.Errorf("%s ended: %v", filepath.Base(p.Cmd.Path), p.Cmd.Wait())
		}
		return l, nil
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

// Kill kills the process with SIGKILL and waits for it.
func (p *Process) Kill() error {
	if err := p.Cmd.Process.Kill(); err != nil {
		return err
	}
	for range p.lines {
	}
	_ = p.Cmd.Wait()
	return nil
}

// Wait waits for the process to end by itself, and returns how it ended.
func (p *Process) Wait() error {
	for range p.lines {
	}
	return p.Cmd.Wait()
}

// Stop asks the process to stop (SIGTERM), kills it if it has not within
// ten seconds, and waits for it; it returns how the process ended.
func (p *Process) Stop() error {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	killer := time.AfterFunc(10*time.Second, func() { _ = p.Cmd.Process.Kill() })
	defer killer.Stop()
	for range p.lines {
	}
	return p.Cmd.Wait()
}

// Self runs this program again with env added to its environment, and
// waits for its first line of output, which must be "ready".
func Self(ctx context.Context, env ...string) (*Process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), env...)
	p, err := Start(cmd)
	if err != nil {
		return nil, err
	}
	if l, err := p.Line(ctx); err != nil || l != "ready" {
		p.Stop()
		return nil, fmt.Errorf("starting %v: %q, %v", env, l, err)
	}
	return p, nil
}

// StartBroker builds kafka/kafkatest/cmd/broker in dir and runs it with
// topics (each "name:partitions"), and returns it with its address. (Built
// rather than run with go run, which would not pass it the signal that
// stops it.)
func StartBroker(ctx context.Context, dir string, topics ...string) (*Process, string, error) {
	bin := filepath.Join(dir, "broker")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/slipstream-go/slipstream/kafka/kafkatest/cmd/broker")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("building the broker: %v\n%s", err, out)
	}
	args := []string{"-addr", "127.0.0.1:0"}
	for _, t := range topics {
		args = append(args, "-topic", t)
	}
	p, err := Start(exec.Command(bin, args...))
	if err != nil {
		return nil, "", fmt.Errorf("starting the broker: %w", err)
	}
	addr, err := p.Line(ctx)
	if err != nil {
		p.Stop()
		return nil, "", fmt.Errorf("starting the broker: %w", err)
	}
	return p, addr, nil
}
