package kafka_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// The multi-process tests run this test binary again as a child process
// running a slipstream app: childEnv names what the child does.
const (
	childEnv       = "SLIPSTREAM_KAFKA_TEST_CHILD"
	childBootstrap = "SLIPSTREAM_KAFKA_TEST_BOOTSTRAP"
	childGroup     = "SLIPSTREAM_KAFKA_TEST_GROUP"
	childDelay     = "SLIPSTREAM_KAFKA_TEST_DELAY"
	childSession   = "SLIPSTREAM_KAFKA_TEST_SESSION_MS"
	childInstance  = "SLIPSTREAM_KAFKA_TEST_INSTANCE"
)

// runChild runs the app a child process was started for, and returns the
// process's exit code.
func runChild(role string) int {
	if role == "eos" {
		return runExactlyOnceChild()
	}
	if role != "pipeline" {
		fmt.Fprintln(os.Stderr, "unknown child role", role)
		return 2
	}
	delay, _ := time.ParseDuration(os.Getenv(childDelay))
	conf := kafka.ConfigMap{
		"bootstrap.servers":       os.Getenv(childBootstrap),
		"broker.address.family":   "v4",
		"group.id":                os.Getenv(childGroup),
		"auto.offset.reset":       "earliest",
		"auto.commit.interval.ms": 200,
	}
	if ms := os.Getenv(childSession); ms != "" {
		// A killed member holds its partitions until its session times
		// out: the kill test keeps that short.
		conf["session.timeout.ms"] = ms
		conf["heartbeat.interval.ms"] = 500
	}
	if id := os.Getenv(childInstance); id != "" {
		conf["group.instance.id"] = id
	}
	in, err := kafka.NewTopic[string, string]("in", conf)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out, err := kafka.NewTopic[string, string]("out", conf)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var (
		handled atomic.Int64
		first   sync.Once
		mu      sync.Mutex
		parts   = map[int32]bool{}
	)
	app := stream.NewApp()
	stream.Handle(app, in, stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		first.Do(func() { fmt.Println("first") })
		time.Sleep(delay) // "processing"
		handled.Add(1)
		mu.Lock()
		parts[m.Partition] = true
		mu.Unlock()
		return kafka.NewMessage(m.Key, "out-"+m.Value)
	}), stream.Sink[kafka.Message[string, string]](out))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	fmt.Println("started")
	if err := app.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var ps []string
	for p := range parts {
		ps = append(ps, fmt.Sprint(p))
	}
	sort.Strings(ps)
	fmt.Printf("handled %d partitions %s\n", handled.Load(), strings.Join(ps, ","))
	return 0
}

// startChild starts a child process running the pipeline in → out in
// group, handling each message in delay, with env added to its
// environment.
func startChild(t *testing.T, bootstrap, group string, delay time.Duration, env ...string) *testkit.Child {
	t.Helper()
	base := []string{childEnv + "=pipeline", childBootstrap + "=" + bootstrap, childGroup + "=" + group, childDelay + "=" + delay.String()}
	return testkit.StartChild(t, append(base, env...)...)
}

// readCovering reads topic until every value in want has been seen.
func readCovering(t *testing.T, ctx context.Context, topic *kafka.Topic[string, string], want map[string]bool) {
	t.Helper()
	missing := len(want)
	seen := map[string]bool{}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	app := stream.NewApp()
	stream.Handle(app, topic, stream.Do(func(m kafka.Message[string, string]) {
		if want[m.Value] && !seen[m.Value] {
			seen[m.Value] = true
			if missing--; missing == 0 {
				stop()
			}
		}
	}))
	if err := app.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if missing > 0 {
		var some []string
		for v := range want {
			if !seen[v] && len(some) < 10 {
				some = append(some, v)
			}
		}
		t.Fatalf("%d of %d outputs missing, such as %v", missing, len(want), some)
	}
}

// TestKilledConsumerRestarts kills a consumer app with SIGKILL while it
// processes, and restarts it: every input must then have its output.
func TestKilledConsumerRestarts(t *testing.T) {
	const n = 2000
	b := newBroker(t, kafkatest.WithTopic("in", 3), kafkatest.WithTopic("out", 3),
		kafkatest.WithClusterOptions(kfake.GroupMinSessionTimeout(time.Second)))
	ctx := testkit.Context(t, 120*time.Second)
	group := testkit.UniqueName("killed")
	produceN(t, ctx, newTopic[string, string](t, "in", testkit.KafkaConf(b.Addr())), n, func(i int) string { return fmt.Sprint(i) })
	want := map[string]bool{}
	for i := range n {
		want[fmt.Sprint("out-", i)] = true
	}
	outputs := func() int64 {
		var sum int64
		for _, p := range b.Cluster().PartitionInfos("out") {
			sum += p.HighWatermark
		}
		return sum
	}

	session := childSession + "=2000"
	first := startChild(t, b.Addr(), group, time.Millisecond, session)
	first.Line(t, ctx) // started
	testkit.Eventually(t, 60*time.Second, "the first process made too few outputs", func() bool { return outputs() >= n/4 })
	first.Kill(t) // SIGKILL, mid-processing
	if o := outputs(); o >= n {
		t.Fatalf("the first process finished (%d outputs) before it was killed", o)
	}
	t.Logf("killed after %d outputs; committed %v", outputs(), committed(b, group, "in"))

	second := startChild(t, b.Addr(), group, 0, session)
	second.Line(t, ctx)
	testkit.Eventually(t, 60*time.Second, "the restarted process did not commit every input", func() bool {
		c := committed(b, group, "in")
		for _, p := range b.Cluster().PartitionInfos("in") {
			if c[p.Partition] != p.HighWatermark {
				return false
			}
		}
		return true
	})
	t.Logf("after the restart: %s", second.Stop(t, ctx))
	readCovering(t, ctx, newTopic[string, string](t, "out", testkit.KafkaConf(b.Addr())), want)
}

// TestTwoProcessesShareAGroup runs the standalone broker command and two
// processes of one app in one consumer group: they must share the
// partitions and, together, process every message.
func TestTwoProcessesShareAGroup(t *testing.T) {
	const n = 1000
	ctx := testkit.Context(t, 120*time.Second)
	addr := startBrokerCommand(t, ctx, "-topic", "in:4", "-topic", "out:4")
	group := testkit.UniqueName("shared")

	a := startChild(t, addr, group, 0)
	bb := startChild(t, addr, group, 0)
	a.Line(t, ctx)
	bb.Line(t, ctx)
	waitForMembers(t, ctx, addr, group, 2)

	produceN(t, ctx, newTopic[string, string](t, "in", testkit.KafkaConf(addr)), n, func(i int) string { return fmt.Sprint(i) })
	want := map[string]bool{}
	for i := range n {
		want[fmt.Sprint("out-", i)] = true
	}
	readCovering(t, ctx, newTopic[string, string](t, "out", testkit.KafkaConf(addr)), want)

	var total int
	for i, c := range []*testkit.Child{a, bb} {
		var handled int
		var parts string
		last := c.Stop(t, ctx)
		if _, err := fmt.Sscanf(last, "handled %d partitions %s", &handled, &parts); err != nil {
			t.Fatalf("process %d said %q", i, last)
		}
		if handled == 0 {
			t.Errorf("process %d handled nothing", i)
		}
		t.Logf("process %d: handled %d from partitions %s", i, handled, parts)
		total += handled
	}
	if total < n {
		t.Errorf("the processes handled %d messages, want at least %d", total, n)
	}
}

// startBrokerCommand builds and starts the standalone broker command with
// args, and returns its bootstrap address. The broker stops with the test.
func startBrokerCommand(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the broker with")
	}
	bin := filepath.Join(t.TempDir(), "broker")
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, "github.com/slipstream-go/slipstream/kafka/kafkatest/cmd/broker")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the broker: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = testkit.LogWriter(t, "broker: ")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case addr := <-line:
		return strings.TrimSpace(addr)
	case <-ctx.Done():
		t.Fatal("the broker command printed no address")
	}
	return ""
}

// waitForMembers waits until group has members, each assigned partitions.
func waitForMembers(t *testing.T, ctx context.Context, addr, group string, members int) {
	t.Helper()
	admin, err := ckafka.NewAdminClient(&ckafka.ConfigMap{"bootstrap.servers": addr, "broker.address.family": "v4", "log_level": 3})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	testkit.Eventually(t, 30*time.Second, fmt.Sprintf("group %s never had %d members with partitions", group, members), func() bool {
		res, err := admin.DescribeConsumerGroups(ctx, []string{group})
		if err != nil || len(res.ConsumerGroupDescriptions) != 1 {
			return false
		}
		d := res.ConsumerGroupDescriptions[0]
		if d.State != ckafka.ConsumerGroupStateStable || len(d.Members) != members {
			return false
		}
		for _, m := range d.Members {
			if len(m.Assignment.TopicPartitions) == 0 {
				return false
			}
		}
		return true
	})
}
