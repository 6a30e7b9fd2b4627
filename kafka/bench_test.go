package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/internal/testkit"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kafka/kafkatest"
	"github.com/slipstream-go/slipstream/stream"
)

// These benchmarks compare a Topic with raw confluent-kafka-go on the same
// in-process broker, in the same run. One op is one 100-byte message.

var value100 = string(make([]byte, 100))

func BenchmarkProduce(b *testing.B) {
	br := newBroker(b, kafkatest.WithTopic("bench", 4))
	ctx := context.Background()
	b.Run("slipstream", func(b *testing.B) {
		topic := newTopic[string, string](b, "bench", testkit.KafkaConf(br.Addr()))
		var wg sync.WaitGroup
		done := func(err error) {
			if err != nil {
				b.Error(err)
			}
			wg.Done()
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			wg.Add(1)
			if err := topic.SendAsync(ctx, kafka.Message[string, string]{Value: value100}, done); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
	})
	b.Run("confluent", func(b *testing.B) {
		p, err := ckafka.NewProducer(&ckafka.ConfigMap{"bootstrap.servers": br.Addr(), "broker.address.family": "v4", "go.delivery.report.fields": "none"})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		name := "bench"
		var wg sync.WaitGroup
		wg.Add(b.N)
		go func() {
			for ev := range p.Events() {
				if m, ok := ev.(*ckafka.Message); ok {
					if m.TopicPartition.Error != nil {
						b.Error(m.TopicPartition.Error)
					}
					wg.Done()
				}
			}
		}()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for {
				err := p.Produce(&ckafka.Message{TopicPartition: ckafka.TopicPartition{Topic: &name, Partition: ckafka.PartitionAny}, Value: []byte(value100)}, nil)
				if err == nil {
					break
				}
				if e, ok := err.(ckafka.Error); !ok || e.Code() != ckafka.ErrQueueFull {
					b.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
		}
		wg.Wait()
	})
}

func BenchmarkConsume(b *testing.B) {
	br := newBroker(b, kafkatest.WithTopic("bench", 4))
	ctx := context.Background()
	filled := 0
	fill := func(n int) {
		if n <= filled {
			return
		}
		p := newTopic[string, string](b, "bench", testkit.KafkaConf(br.Addr()))
		produceN(b, ctx, p, n-filled, func(i int) string { return fmt.Sprint(i) })
		filled = n
	}
	b.Run("slipstream", func(b *testing.B) {
		fill(b.N)
		b.ResetTimer()
		topic := newTopic[string, string](b, "bench", testkit.KafkaConf(br.Addr()))
		runCtx, stop := context.WithCancel(ctx)
		n := 0
		app := stream.NewApp()
		stream.Handle(app, topic, stream.Do(func(kafka.Message[string, string]) {
			if n++; n == b.N {
				stop()
			}
		}))
		if err := app.Run(runCtx); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("confluent", func(b *testing.B) {
		fill(b.N)
		b.ResetTimer()
		c, err := ckafka.NewConsumer(&ckafka.ConfigMap{"bootstrap.servers": br.Addr(), "broker.address.family": "v4",
			"group.id": testkit.UniqueName("raw"), "auto.offset.reset": "earliest"})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.Subscribe("bench", nil); err != nil {
			b.Fatal(err)
		}
		for n := 0; n < b.N; {
			switch e := c.Poll(100).(type) {
			case *ckafka.Message:
				n++
			case ckafka.Error:
				b.Fatal(e)
			}
		}
	})
}
