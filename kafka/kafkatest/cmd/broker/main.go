// Broker runs an in-process Kafka broker from package kafkatest as a
// process of its own, for trying examples or other programs against
// Kafka without installing it.
//
// Usage:
//
//	go run ./kafka/kafkatest/cmd/broker [flags]
//
// For example, a single broker on the usual Kafka port with a topic of
// three partitions:
//
//	go run ./kafka/kafkatest/cmd/broker -addr 127.0.0.1:9092 -topic emoji:3
//
// Broker prints the bootstrap address list as the first line of its
// standard output and serves until it receives SIGINT or SIGTERM. The
// brokers listen on 127.0.0.1 only, and keep everything in memory.
//
// The flags are:
//
//	-addr host:port
//		Listen on port, and the ports after it for more brokers; port 0
//		picks random ports. The host must be 127.0.0.1 or localhost.
//		The default is 127.0.0.1:9092.
//	-brokers n
//		Run n brokers; the default is 1.
//	-topic name[:partitions]
//		Create a topic with the given number of partitions, by default
//		1. Repeat the flag for more topics.
//	-sasl user:password
//		Require SASL PLAIN authentication and add a user. Repeat the
//		flag for more users.
//	-auto-create
//		Create topics on first use, as Kafka does by default.
//	-log level
//		Log requests on standard error at level none, error, warn,
//		info or debug; the default is none.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/slipstream-go/slipstream/kafka/kafkatest"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("broker: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2) // the flag package has explained
	case err != nil:
		log.Fatal(err)
	}
}

// errUsage reports bad flags.
var errUsage = errors.New("usage")

// run serves a broker configured by args until ctx is done, after writing
// its bootstrap address list to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	var (
		opts    []kafkatest.Option
		fs      = flag.NewFlagSet("broker", flag.ContinueOnError)
		addr    = fs.String("addr", "127.0.0.1:9092", "listen on `host:port` and the ports after it; port 0 picks random ports")
		brokers = fs.Int("brokers", 1, "number of brokers")
		auto    = fs.Bool("auto-create", false, "create topics on first use")
		level   = fs.String("log", "none", "log requests at `level` none, error, warn, info or debug")
	)
	fs.Func("topic", "create topic `name[:partitions]`; repeatable", func(s string) error {
		name, parts, err := parseTopic(s)
		if err != nil {
			return err
		}
		opts = append(opts, kafkatest.WithTopic(name, parts))
		return nil
	})
	fs.Func("sasl", "require SASL PLAIN and add `user:password`; repeatable", func(s string) error {
		user, pass, ok := strings.Cut(s, ":")
		if !ok || user == "" {
			return errors.New("want user:password")
		}
		opts = append(opts, kafkatest.WithSASLPlain(user, pass))
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return errUsage
	}

	ports, err := parsePorts(*addr, *brokers)
	if err != nil {
		return err
	}
	opts = append(opts, kafkatest.WithPorts(ports...))
	if *auto {
		opts = append(opts, kafkatest.WithAutoCreateTopics())
	}
	l, ok := levels[*level]
	if !ok {
		return fmt.Errorf("-log %s: want none, error, warn, info or debug", *level)
	}
	if l != kfake.LogLevelNone {
		opts = append(opts, kafkatest.WithClusterOptions(kfake.WithLogger(kfake.BasicLogger(os.Stderr, l))))
	}

	b, err := kafkatest.Start(opts...)
	if err != nil {
		return err
	}
	defer b.Close()
	if _, err := fmt.Fprintln(stdout, b.Addr()); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// parseTopic parses name[:partitions].
func parseTopic(s string) (name string, partitions int, err error) {
	name, p, ok := strings.Cut(s, ":")
	if name == "" {
		return "", 0, errors.New("empty topic name")
	}
	if !ok {
		return name, 1, nil
	}
	partitions, err = strconv.Atoi(p)
	if err != nil || partitions < 1 {
		return "", 0, fmt.Errorf("topic %s: partitions %q is not a positive number", name, p)
	}
	return name, partitions, nil
}

// parsePorts returns the ports n brokers listen on given -addr.
func parsePorts(addr string, n int) ([]int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host != "127.0.0.1" && host != "localhost" && host != "" {
		return nil, fmt.Errorf("-addr %s: host must be 127.0.0.1", addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port+n-1 > 65535 {
		return nil, fmt.Errorf("-addr %s: bad port", addr)
	}
	if n < 1 {
		return nil, fmt.Errorf("-brokers %d: want at least 1", n)
	}
	ports := make([]int, n)
	for i := range ports {
		if port != 0 {
			ports[i] = port + i
		}
	}
	return ports, nil
}

var levels = map[string]kfake.LogLevel{
	"none":  kfake.LogLevelNone,
	"error": kfake.LogLevelError,
	"warn":  kfake.LogLevelWarn,
	"info":  kfake.LogLevelInfo,
	"debug": kfake.LogLevelDebug,
}
