// Avro: messages encoded with an Avro codec made from a schema file, sent to
// a Kafka topic by one handler and read back by another.
//
// The schema ships inside the program (emoji.avsc, embedded); -schema reads
// another file at run time instead, with codec.AvroFile. It uses the Kafka
// cluster at $KAFKA_BOOTSTRAP, or else starts a broker in-process.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

//go:embed emoji.avsc
var schema string

// Emoji is one record of the schema; the avro tags name its fields.
type Emoji struct {
	Name   string `avro:"name"`
	Emoji  string `avro:"emoji"`
	Points int32  `avro:"points"`
}

func main() {
	schemaFile := flag.String("schema", "", "an Avro schema file to use instead of the embedded emoji.avsc")
	flag.Parse()
	avro, err := newCodec(*schemaFile)
	if err == nil {
		err = run(context.Background(), os.Stdout, avro)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func newCodec(schemaFile string) (codec.Codec[Emoji], error) {
	if schemaFile != "" {
		return codec.AvroFile[Emoji](schemaFile)
	}
	return codec.Avro[Emoji](schema)
}

func run(ctx context.Context, w io.Writer, avro codec.Codec[Emoji]) error {
	addr, stop, err := kafkatest.BootstrapOrStart(kafkatest.WithTopic("emoji-avro", 1))
	if err != nil {
		return err
	}
	defer stop()

	topic, err := kafka.NewTopic[string, Emoji]("emoji-avro", kafka.ConfigMap{
		"bootstrap.servers":     addr,
		"broker.address.family": "v4",
		"auto.offset.reset":     "earliest",
		"group.id":              "avro-demo",
	}, kafka.WithValueCodec(avro))
	if err != nil {
		return err
	}
	defer topic.Close(ctx)

	emoji := []Emoji{{"trophy", "🏆", 10}, {"phone", "📞", 2}, {"fish", "🐟", 5}, {"ok", "👌", 1}}

	// One app sends the records; they travel as Avro bytes.
	producer := stream.NewApp()
	stream.Handle(producer, source.Slice(emoji), stream.Func(func(e Emoji) kafka.Message[string, Emoji] {
		return kafka.NewMessage(e.Name, e)
	}), topic)
	if err := producer.Run(ctx); err != nil {
		return err
	}

	// Read them back, decoded into Emoji values.
	read := 0
	for msg, err := range topic.Messages(ctx) {
		if err != nil {
			return err
		}
		e := msg.Value
		fmt.Fprintf(w, "%s %s is worth %d points\n", e.Emoji, e.Name, e.Points)
		if read++; read == len(emoji) {
			break
		}
	}
	return nil
}
