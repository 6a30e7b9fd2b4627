// Exactlyonce: outputs, state and offsets committed together, through
// crashes.
//
// It starts a broker process (kafka/kafkatest/cmd/broker), sends keyed
// messages to a topic, and runs an app in exactly-once mode
// (kafka.ExactlyOnce) that forwards each message to an output topic and
// counts the messages per key in a partitioned table (package state). It
// kills the app with SIGKILL at random moments while it works, restarting
// it each time, then lets it run to the end. It reads the output topic as
// a read_committed reader does and the app's counts, and prints last:
//
//	sent 100000, lost 0, duplicated 0, counts exact: true
//
// With -at-least-once the app runs without transactions: the same kills
// then show duplicated outputs and over-counts.
//
//	go run ./examples/exactlyonce [-messages 100000] [-kills 10] [-at-least-once]
package main

import (
	"flag"
	"log"
	"os"
	"strconv"
)

func main() {
	log.SetFlags(0)
	if os.Getenv(roleEnv) == "app" {
		dieAfter, _ := strconv.ParseInt(os.Getenv(dieAfterEnv), 10, 64)
		if err := work(os.Getenv(bootstrapEnv), os.Getenv(dirEnv), os.Getenv(guaranteeEnv) != "at-least-once", dieAfter); err != nil {
			log.Fatal("app: ", err)
		}
		return
	}
	var cfg config
	flag.IntVar(&cfg.Messages, "messages", 100_000, "messages to send")
	flag.IntVar(&cfg.Kills, "kills", 10, "times to kill the app while it works")
	flag.BoolVar(&cfg.AtLeastOnce, "at-least-once", false, "run the app without transactions")
	flag.Parse()
	cfg.Out = os.Stdout
	if err := coordinate(cfg); err != nil {
		log.Fatal(err)
	}
}
