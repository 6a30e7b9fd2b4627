package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

// TestMain runs main instead of the tests when the test binary is started
// by TestCommand as the command under test.
func TestMain(m *testing.M) {
	if os.Getenv("KAFKATEST_BROKER_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func TestCommand(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { testCommand(t, sig) })
	}
}

// testCommand runs the command, checks the broker it reports and stops it
// with sig.
func testCommand(t *testing.T, sig os.Signal) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	cmd := exec.CommandContext(ctx, os.Args[0], "-addr", "127.0.0.1:0", "-brokers", "2", "-topic", "emoji:3", "-topic", "plain")
	cmd.Env = append(os.Environ(), "KAFKATEST_BROKER_MAIN=1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Reading stops when the command exits, at the latest when ctx
	// expires and kills it.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the address: %v", err)
	}
	addrs := strings.Split(strings.TrimSpace(line), ",")
	if len(addrs) != 2 {
		t.Fatalf("first line %q, want 2 addresses", line)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	req := kmsg.NewPtrMetadataRequest()
	for _, name := range []string{"emoji", "plain"} {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(name)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	cl.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Brokers) != 2 {
		t.Errorf("metadata lists %d brokers, want 2", len(resp.Brokers))
	}
	want := map[string]int{"emoji": 3, "plain": 1}
	for _, rt := range resp.Topics {
		if name := *rt.Topic; len(rt.Partitions) != want[name] {
			t.Errorf("topic %q has %d partitions, want %d", name, len(rt.Partitions), want[name])
		}
	}

	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after %v: %v", sig, err)
	}
}

func TestParsePorts(t *testing.T) {
	for _, tt := range []struct {
		addr    string
		brokers int
		want    string
	}{
		{"127.0.0.1:9092", 3, "[9092 9093 9094]"},
		{"localhost:0", 2, "[0 0]"},
		{":9092", 1, "[9092]"},
		{"0.0.0.0:9092", 1, "error"},
		{"127.0.0.1:65535", 2, "error"},
		{"127.0.0.1:9092", 0, "error"},
		{"127.0.0.1", 1, "error"},
	} {
		ports, err := parsePorts(tt.addr, tt.brokers)
		got := fmt.Sprint(ports)
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("parsePorts(%q, %d) = %s, %v; want %s", tt.addr, tt.brokers, got, err, tt.want)
		}
	}
}
