package kafka

import (
	"testing"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

func BenchmarkZZDeliveriesAdd(b *testing.B) {
	d := newDeliveries(epochMaxAge, epochMaxMessages)
	done := func(error) {}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d.add(done)
		if i%50000 == 49999 {
			for range 50000 {
				d.report(nil)
			}
		}
	}
}

func BenchmarkZZEncode(b *testing.B) {
	t, err := NewTopic[string, []byte]("t", ConfigMap{"bootstrap.servers": "x:1"})
	if err != nil {
		b.Fatal(err)
	}
	m := Message[string, []byte]{Value: make([]byte, 100)}
	b.ReportAllocs()
	for range b.N {
		var km ckafka.Message
		if err := t.encode(&m, &km); err != nil {
			b.Fatal(err)
		}
	}
}
