package kafkabench

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/slipstream-go/slipstream/bench/internal/selfproc"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

// EnvBroker names the environment variable that chooses where the broker
// of the benchmarks runs: "process" (the default) or "inprocess".
//
// By default the broker (package kafka/kafkatest) runs in a child process
// (the benchmark's own executable started again), apart from its clients
// as a Kafka broker is, though on the same cores. "inprocess" runs it in
// the benchmark process, where it shares the clients' Go runtime: their
// Ps, and their garbage collections, which its heap (the messages sent,
// hundreds of megabytes) makes longer. That is a distortion no deployment
// has, and on 2 cores it moved the Consume ratio by about +0.1 and
// doubled its spread from run to run (see the README).
const EnvBroker = "KAFKABENCH_BROKER"

// envServe marks the child process that serves the broker.
const envServe = "KAFKABENCH_SERVE_BROKER"

// A broker is the Kafka broker the benchmarks run against, and what they
// ask of it besides the clients' traffic.
type broker interface {
	// Addr returns the bootstrap address.
	Addr() string
	createTopic(name string, partitions int) error
	deleteTopic(name string) error
	// count returns the number of messages in topic.
	count(topic string) (int64, error)
	close()
}

// startBroker starts the broker that EnvBroker asks for, with the consume
// topic.
func startBroker() (broker, error) {
	switch where := BrokerPlace(); where {
	case "process":
		return startChild()
	case "inprocess":
		b, err := kafkatest.Start(kafkatest.WithTopic(inTopic, Partitions), kafkatest.WithTopic(countTopic, Partitions))
		if err != nil {
			return nil, err
		}
		return inProcess{b}, nil
	default:
		return nil, fmt.Errorf("kafkabench: %s=%q: want process or inprocess", EnvBroker, where)
	}
}

// The broker, started on first use.
var (
	brokerMu sync.Mutex
	current  broker
)

// theBroker returns the process's broker, starting it on first use.
func theBroker() (broker, error) {
	brokerMu.Lock()
	defer brokerMu.Unlock()
	if current == nil {
		b, err := startBroker()
		if err != nil {
			return nil, err
		}
		current = b
		clear(filled)
	}
	return current, nil
}

// BrokerPlace returns where the benchmarks' broker runs, or will: "process"
// or "inprocess" (see EnvBroker).
func BrokerPlace() string {
	if where := os.Getenv(EnvBroker); where != "" {
		return where
	}
	return "process"
}

// Cleanup closes the broker, if it was started. Call it when the process is
// done benchmarking.
func Cleanup() {
	brokerMu.Lock()
	defer brokerMu.Unlock()
	if current != nil {
		current.close()
		current = nil
	}
}

// inProcess is a broker in the benchmark process.
type inProcess struct{ b *kafkatest.Broker }

func (p inProcess) Addr() string { return p.b.Addr() }
func (p inProcess) close()       { p.b.Close() }

func (p inProcess) createTopic(name string, partitions int) error {
	return p.b.Cluster().CreateTopic(name, int32(partitions), nil)
}

func (p inProcess) deleteTopic(name string) error { return p.b.Cluster().DeleteTopic(name) }

func (p inProcess) count(topic string) (int64, error) {
	infos := p.b.Cluster().PartitionInfos(topic)
	if len(infos) == 0 {
		return 0, fmt.Errorf("kafkabench: no topic %s", topic)
	}
	var n int64
	for _, pi := range infos {
		n += pi.HighWatermark - pi.LogStartOffset
	}
	return n, nil
}

// ServeBrokerIfChild serves the broker and exits, if the process is the
// child that startChild started; otherwise it returns at once. Call it
// first thing in main, or in TestMain, of every program that runs the
// benchmarks.
func ServeBrokerIfChild() {
	if os.Getenv(envServe) == "" {
		return
	}
	b, err := kafkatest.Start(kafkatest.WithTopic(inTopic, Partitions), kafkatest.WithTopic(countTopic, Partitions))
	if err != nil {
		fmt.Fprintln(os.Stderr, "kafkabench: broker:", err)
		os.Exit(1)
	}
	fmt.Println(b.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it, or exits
	b.Close()
	os.Exit(0)
}

// child is a broker in a child process, and a client of it for the
// benchmarks' topics.
type child struct {
	proc *selfproc.Process
	addr string
	cl   *kgo.Client
}

// startChild starts the benchmark's executable again as a broker and
// connects to it.
func startChild() (*child, error) {
	proc, addr, err := selfproc.Start("broker", envServe+"=1")
	if err != nil {
		return nil, fmt.Errorf("kafkabench: %w", err)
	}
	c := &child{proc: proc, addr: addr}
	if c.cl, err = kgo.NewClient(kgo.SeedBrokers(c.addr)); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *child) Addr() string { return c.addr }

// close stops the broker process and waits for it.
func (c *child) close() {
	if c.cl != nil {
		c.cl.Close()
	}
	c.proc.Stop()
}

// adminTimeout bounds one request to the broker process.
const adminTimeout = 30 * time.Second

func (c *child) createTopic(name string, partitions int) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = name, int32(partitions), 1
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(resp.Topics[0].ErrorCode)
}

func (c *child) deleteTopic(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	req := kmsg.NewPtrDeleteTopicsRequest()
	t := kmsg.NewDeleteTopicsRequestTopic()
	t.Topic = &name
	req.Topics = append(req.Topics, t)
	req.TopicNames = append(req.TopicNames, name)
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		return err
	}
	return kerr.ErrorForCode(resp.Topics[0].ErrorCode)
}

// count asks for the earliest and the latest offset of each partition.
func (c *child) count(topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	var n int64
	for _, at := range []int64{-2, -1} { // earliest, latest
		req := kmsg.NewPtrListOffsetsRequest()
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = topic
		for p := range int32(Partitions) {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = p, at
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, c.cl)
		if err != nil {
			return 0, err
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return 0, fmt.Errorf("kafkabench: offsets of %s/%d: %w", topic, p.Partition, err)
				}
				if at == -2 {
					n -= p.Offset
				} else {
					n += p.Offset
				}
			}
		}
	}
	return n, nil
}
