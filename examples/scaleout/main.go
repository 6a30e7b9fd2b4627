// Scaleout: state that follows its partitions, across processes.
//
// It starts a broker process (kafka/kafkatest/cmd/broker) and three
// consumer processes in one group, each counting the messages of a topic
// of six partitions per key in a partitioned table (package state). It
// sends keyed messages, kills one consumer with SIGKILL half-way, and once
// the group has committed every message, asks the survivors for their
// tables, which by then hold the dead consumer's partitions too, restored
// from their changelogs. It prints the totals per key, and last:
//
//	sent 100000, counted 100000, lost 0, over-counted N
//
// Under at-least-once, messages the killed consumer had counted but not
// yet committed are counted again by the consumer that takes its
// partitions over: N is at least 0. Nothing is lost.
//
//	go run ./examples/scaleout [-messages 100000] [-keys 12]
package main

import (
	"flag"
	"log"
	"os"
)

func main() {
	log.SetFlags(0)
	if os.Getenv(roleEnv) == "consumer" {
		if err := consume(os.Getenv(bootstrapEnv), os.Getenv(dirEnv)); err != nil {
			log.Fatal("consumer: ", err)
		}
		return
	}
	var cfg config
	flag.IntVar(&cfg.Messages, "messages", 100_000, "messages to send")
	flag.IntVar(&cfg.Keys, "keys", 12, "distinct keys")
	flag.Parse()
	cfg.Out = os.Stdout
	if err := coordinate(cfg); err != nil {
		log.Fatal(err)
	}
}
