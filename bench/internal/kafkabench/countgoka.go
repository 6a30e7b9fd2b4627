package kafkabench

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"log"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	gcodec "github.com/lovoo/goka/codec"
	"github.com/lovoo/goka/storage"
)

// gokaSettings sets goka's global configuration once: its defaults, but
// streams read from their oldest offset (goka's default is the newest),
// as a new consumer group of the other sides does.
var gokaSettings = sync.OnceFunc(func() {
	config := goka.DefaultConfig()
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	goka.ReplaceGlobalConfig(config)
})

// prepareCountGoka is goka's form of Count: a processor of a group of its
// own with a group table (goka.Input and goka.Persist, codec.Int64), in
// goka's default storage (LevelDB) in a fresh directory, on the count
// topic. Its callback reads the key's count and sets it plus one. The
// timed part goes from the first message handled to the n-th change
// acknowledged by the broker, counted by a wrapper of goka's default
// producer; the processor stops then.
func prepareCountGoka(b broker, n int) (*run, error) {
	if err := fillCount(b, n); err != nil {
		return nil, err
	}
	gokaSettings()
	dir, err := os.MkdirTemp("", "kafkabench-count-")
	if err != nil {
		return nil, err
	}
	group := goka.Group(fmt.Sprintf("bench-%d", names.Add(1)))
	return &run{
		start: func(ctx context.Context, m *marks) error {
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			var failed atomic.Pointer[error]
			acked := countsTo(n, &failed, func() {
				m.end()
				stop()
			})
			var handled atomic.Int64 // goka handles each partition on a goroutine of its own
			g := goka.DefineGroup(group,
				goka.Input(goka.Stream(countTopic), new(gcodec.Bytes), func(ctx goka.Context, _ any) {
					if handled.Add(1) == 1 {
						m.begin()
					}
					var count int64
					if v := ctx.Value(); v != nil {
						count = v.(int64)
					}
					ctx.SetValue(count + 1)
				}),
				goka.Persist(new(gcodec.Int64)),
			)
			topics := goka.NewTopicManagerConfig()
			topics.Table.Replication, topics.Stream.Replication = 1, 1 // one broker
			p, err := goka.NewProcessor([]string{b.Addr()}, g,
				goka.WithStorageBuilder(storage.DefaultBuilder(dir)),
				goka.WithTopicManagerBuilder(goka.TopicManagerBuilderWithTopicManagerConfig(topics)),
				goka.WithProducerBuilder(func(brokers []string, clientID string, hasher func() hash.Hash32) (goka.Producer, error) {
					p, err := goka.DefaultProducerBuilder(brokers, clientID, hasher)
					return &ackedProducer{Producer: p, acked: acked}, err
				}),
				goka.WithLogger(log.New(io.Discard, "", 0)),
			)
			if err != nil {
				return err
			}
			if n == 0 {
				m.begin()
				m.end()
				stop()
			}
			err = p.Run(ctx)
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			if f := failed.Load(); f != nil {
				err = errors.Join(*f, err)
			}
			return err
		},
		check: func() error {
			err := checkCounts(b, string(goka.GroupTable(group)), n, func(v []byte) (int64, error) {
				return strconv.ParseInt(string(v), 10, 64) // goka's codec.Int64
			})
			return errors.Join(err, os.RemoveAll(dir))
		},
	}, nil
}

// An ackedProducer is goka's producer, counting the acknowledgements of
// what it emits with acked: one closure per change more than a program
// would make, charged to goka.
type ackedProducer struct {
	goka.Producer
	acked func(error)
}

func (p *ackedProducer) Emit(topic, key string, value []byte) *goka.Promise {
	return p.Producer.Emit(topic, key, value).Then(p.acked)
}

func (p *ackedProducer) EmitWithHeaders(topic, key string, value []byte, headers goka.Headers) *goka.Promise {
	return p.Producer.EmitWithHeaders(topic, key, value, headers).Then(p.acked)
}
