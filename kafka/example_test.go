package kafka_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// Printing a configuration hides its secrets; the map keeps them.
func ExampleConfigMap() {
	conf := kafka.ConfigMap{
		"bootstrap.servers": "localhost:9092",
		"sasl.username":     "myuser",
		"sasl.password":     "mypass",
	}
	fmt.Println(conf)
	fmt.Println(conf["sasl.password"])
	// Output:
	// map[bootstrap.servers:localhost:9092 sasl.password:[redacted] sasl.username:myuser]
	// mypass
}

// Send two messages, then read them back with a loop.
func ExampleTopic_Messages() {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	ctx := context.Background()

	topic, err := kafka.NewTopic[string, string]("emoji", kafka.ConfigMap{
		"bootstrap.servers": addr,
		"group.id":          "example-messages",
		"auto.offset.reset": "earliest",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer topic.Close(ctx)

	if err := topic.Produce(ctx, "trophy", "🏆"); err != nil {
		log.Fatal(err)
	}
	if err := topic.Send(ctx, kafka.NewMessage("fish", "🐟", kafka.Header{Key: "via", Value: []byte("Send")})); err != nil {
		log.Fatal(err)
	}
	for msg, err := range topic.Messages(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(msg.Partition, msg.Offset, msg.Key, msg.Value, len(msg.Headers))
		if msg.Key == "fish" {
			break // the topic never ends
		}
	}
	// Output:
	// 0 0 trophy 🏆 0
	// 0 1 fish 🐟 1
}

type purchase struct {
	ID     int    `json:"id"`
	Amount int    `json:"amount"`
	Item   string `json:"item"`
}

// An app reads orders and writes invoices: each order's offset is committed
// once its invoice has been delivered.
func Example_pipeline() {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("orders", 2), kafkatest.WithTopic("invoices", 2))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	ctx := context.Background()
	conf := func(group string) kafka.ConfigMap {
		return kafka.ConfigMap{"bootstrap.servers": addr, "group.id": group, "auto.offset.reset": "earliest"}
	}

	orders, err := kafka.NewTopic[string, purchase]("orders", conf("billing"),
		kafka.WithValueCodec(codec.JSON[purchase]()))
	if err != nil {
		log.Fatal(err)
	}
	invoices, err := kafka.NewTopic[string, string]("invoices", conf("printing"))
	if err != nil {
		log.Fatal(err)
	}
	for i, item := range []string{"🏆", "🐟"} {
		if err := orders.Produce(ctx, item, purchase{ID: i + 1, Amount: 10 * (i + 1), Item: item}); err != nil {
			log.Fatal(err)
		}
	}

	bill := func(m kafka.Message[string, purchase]) kafka.Message[string, string] {
		o := m.Value
		return kafka.NewMessage(m.Key, fmt.Sprintf("invoice %d: %s, %d €", o.ID, o.Item, o.Amount))
	}
	runCtx, done := context.WithCancel(ctx)
	printed := 0
	app := stream.NewApp()
	stream.Handle(app, orders, stream.Func(bill), invoices)
	stream.Handle(app, invoices, stream.Do(func(m kafka.Message[string, string]) {
		fmt.Println(strings.TrimSpace(m.Value))
		if printed++; printed == 2 {
			done()
		}
	}))
	if err := app.Run(runCtx); err != nil {
		log.Fatal(err)
	}
	// Unordered output:
	// invoice 1: 🏆, 10 €
	// invoice 2: 🐟, 20 €
}

// Send a run of messages outside an app with SendBatch: one call hands
// them all to the producer. A message with a done function of its own has
// it called; the others (nil in dones) share the last argument, called
// once for each. (An app hands a Topic sink its outputs this way.)
func ExampleTopic_SendBatch() {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("batch", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	ctx := context.Background()

	topic, err := kafka.NewTopic[string, string]("batch", kafka.ConfigMap{"bootstrap.servers": addr})
	if err != nil {
		log.Fatal(err)
	}
	defer topic.Close(ctx)

	const n = 40
	run := make([]kafka.Message[string, string], n)
	dones := make([]func(error), n)
	delivered := make(chan error, n)
	for i := range n {
		run[i] = kafka.NewMessage("", fmt.Sprint("message ", i))
	}
	dones[0] = func(err error) { fmt.Println("first message delivered:", err == nil); delivered <- err }
	untracked := func(err error) { delivered <- err }
	if err := topic.SendBatch(ctx, run, dones, untracked); err != nil {
		log.Fatal(err)
	}
	for range n {
		if err := <-delivered; err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(n, "messages delivered")
	// Output:
	// first message delivered: true
	// 40 messages delivered
}

// An app in exactly-once mode: its outputs and the offsets of its inputs
// commit together, and a read_committed reader (ReadPartition reads as
// one) sees each output once it has committed.
func ExampleNewExactlyOnce() {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("words", 1), kafkatest.WithTopic("shouts", 1))
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	ctx := context.Background()
	conf := kafka.ConfigMap{
		"bootstrap.servers": addr,
		"group.id":          "example-exactly-once",
		"group.instance.id": "shouter-1", // names the transactional id: shouter's restarts fence their predecessors
		"auto.offset.reset": "earliest",
	}
	eo, err := kafka.NewExactlyOnce(conf, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer eo.Close(ctx) // after the app, whose topics commit as they close
	words, err := kafka.NewTopic[string, string]("words", conf, kafka.WithExactlyOnce(eo))
	if err != nil {
		log.Fatal(err)
	}
	shouts, err := kafka.NewTopicLike[string, string]("shouts", words) // in eo too
	if err != nil {
		log.Fatal(err)
	}
	for _, w := range []string{"exactly", "once"} {
		if err := words.Produce(ctx, w, w); err != nil { // not from a handler: in whatever transaction is open
			log.Fatal(err)
		}
	}

	app := stream.NewApp()
	runCtx, done := context.WithCancel(ctx)
	stream.Handle(app, words, stream.Func(func(m kafka.Message[string, string]) kafka.Message[string, string] {
		if m.Value == "once" {
			done() // the app drains, and commits what it handled
		}
		return kafka.NewMessage(m.Key, strings.ToUpper(m.Value)+"!")
	}), shouts)
	if err := app.Run(runCtx); err != nil {
		log.Fatal(err)
	}
	_, err = shouts.ReadPartition(ctx, 0, 0, func(m kafka.Message[string, string]) error {
		fmt.Println(m.Value)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// EXACTLY!
	// ONCE!
}
