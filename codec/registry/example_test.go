package registry_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/slipstream-go/slipstream/codec/registry"
	"github.com/slipstream-go/slipstream/codec/registry/internal/examplepb"
	"github.com/slipstream-go/slipstream/kafka"
)

// A codec for the values of the orders topic, with a registry that asks
// for a password. The codec registers the Order schema as "orders-value"
// when it is made; a topic then uses it as it would any codec.
func Example() {
	ctx := context.Background()
	client, err := sr.NewClient(
		sr.URLs("https://registry.example.com:8081"),
		sr.BasicAuth(os.Getenv("REGISTRY_USER"), os.Getenv("REGISTRY_PASSWORD")),
	)
	if err != nil {
		log.Fatal(err)
	}
	orders, err := registry.Protobuf[*examplepb.Order](ctx, client, registry.TopicValue("orders"))
	if err != nil {
		log.Fatal(err)
	}
	topic, err := kafka.NewTopic[string, *examplepb.Order]("orders", kafka.ConfigMap{
		"bootstrap.servers": "kafka.example.com:9092",
	}, kafka.WithValueCodec(orders))
	if err != nil {
		log.Fatal(err)
	}
	defer topic.Close(ctx)
}

func ExampleAvro() {
	// An in-memory registry, for the example; see the package example for
	// a real one.
	reg := srfake.New()
	defer reg.Close()
	client, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		log.Fatal(err)
	}

	type Reading struct {
		Sensor string  `avro:"sensor"`
		Value  float64 `avro:"value"`
	}
	c, err := registry.Avro[Reading](context.Background(), client, registry.TopicValue("readings"), `{
		"type": "record",
		"name": "Reading",
		"fields": [
			{"name": "sensor", "type": "string"},
			{"name": "value", "type": "double"}
		]
	}`)
	if err != nil {
		log.Fatal(err)
	}

	b, err := c.Encode(Reading{Sensor: "t1", Value: 21.5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("magic byte and schema id: % x\n", b[:5])

	r, err := c.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", r)

	_, err = c.Decode([]byte(`{"sensor": "t1", "value": 21.5}`))
	fmt.Println(errors.Is(err, registry.ErrFraming), err)
	// Output:
	// magic byte and schema id: 00 00 00 00 01
	// {Sensor:t1 Value:21.5}
	// true codec registry-avro: not in the Schema Registry wire format: first byte is 0x7b, not the magic byte 0
}

func ExampleProtobuf() {
	reg := srfake.New()
	defer reg.Close()
	client, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// order.proto imports money.proto, which is registered first, under
	// its import path.
	orders, err := registry.Protobuf[*examplepb.Order](ctx, client, registry.TopicValue("orders"))
	if err != nil {
		log.Fatal(err)
	}
	subjects, err := client.Subjects(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(subjects)

	b, err := orders.Encode(&examplepb.Order{Id: "o-1", Total: &examplepb.Money{Currency: "EUR", Units: 12}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("magic byte, schema id, message index: % x\n", b[:6])

	o, err := orders.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.GetId(), o.GetTotal().GetUnits(), o.GetTotal().GetCurrency())
	// Output:
	// [examplepb/money.proto orders-value]
	// magic byte, schema id, message index: 00 00 00 00 02 00
	// o-1 12 EUR
}
