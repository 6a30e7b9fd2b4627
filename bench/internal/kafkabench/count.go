package kafkabench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/state"
	"github.com/slipstream-go/slipstream/stream"
)

// CountValueSize is the size of the value of a message of the count topic.
const CountValueSize = 8

// fillCount makes sure the count topic holds at least n messages, and at
// least backlog: message i has key keyOf(i), in its key's partition, and
// i as its value.
func fillCount(b broker, n int) error {
	return fillTopic(b, countTopic, max(n, backlog()), func(ctx context.Context, from, n int) error {
		return produceRecords(ctx, b, countTopic, from, n, func(i int) record {
			return record{key: keyOf(i), value: binary.BigEndian.AppendUint64(nil, uint64(i))}
		})
	})
}

// prepareCountSlipstream makes a table of counts per key of the count
// topic, in a group of its own, its changelog made by state.New; the run
// binds the topic to the handler of the README, which reads a key's count
// and emits a Put of the count plus one to the table, in an app. The stream
// starts once the table holds every partition, its shards open, as the raw
// side opens its databases before it subscribes. The timed part goes from
// the first message handled to the n-th change acknowledged by the broker;
// the app stops then, which commits and closes the table.
func prepareCountSlipstream(b broker, n int) (*run, error) { return prepareCount(b, n, 0) }

// countCopies returns the prepare of a run of the same app with its
// handler run as copies copies (stream.Handler.Parallel), each a consumer
// of the group. The copies join the group one after another, each join a
// rebalance: so that the timed part leaves the joins out, as on the other
// sides, the stream stays paused until the group is stable with every copy
// in it. partitions-1 is timed so too, to compare with.
func countCopies(copies int) prepare {
	return func(b broker, n int) (*run, error) { return prepareCount(b, n, copies) }
}

// prepareCount is prepareCountSlipstream with copies copies (see
// countCopies), or, with copies 0, without Parallel.
func prepareCount(b broker, n, copies int) (*run, error) {
	if err := fillCount(b, n); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kafkabench-count-")
	if err != nil {
		return nil, err
	}
	input, err := kafka.NewTopic[string, []byte](countTopic, consumerConf(b))
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	counts, err := state.New(ctx, "counts", input, codec.StringKey(), codec.Int[int64](), &state.Options{Dir: dir, Logger: quiet})
	if err != nil {
		return nil, errors.Join(err, input.Close(ctx), os.RemoveAll(dir))
	}
	var handled atomic.Int64
	values := codec.Int[int64]()
	return &run{
		start: func(ctx context.Context, m *marks) error {
			ctx, stop := context.WithCancel(ctx)
			defer stop()
			var failed atomic.Pointer[error]
			acked := &ackedTable{Table: counts, done: countsTo(n, &failed, func() {
				m.end()
				stop() // the app drains: what was read is committed
			})}
			app := stream.NewApp()
			handler := stream.FuncErr(func(_ context.Context, msg kafka.Message[string, []byte]) (state.Change[string, int64], error) {
				if handled.Add(1) == 1 {
					m.begin()
				}
				c, err := counts.Get(msg.Partition, msg.Key)
				if err != nil {
					return state.Change[string, int64]{}, err
				}
				return state.Put(msg.Partition, msg.Key, c.OrEmpty()+1), nil
			})
			in := stream.From(input)
			if copies > 0 {
				handler = handler.Parallel(copies)
			}
			// Paused until every shard is open, as the raw side opens its
			// databases before it subscribes (and, with copies, until the
			// group is stable: see countCopies).
			in.Pause()
			settled := make(chan error, 1)
			go func() {
				var err error
				if copies > 0 {
					err = waitGroupStable(ctx, b, input.Conf()["group.id"].(string), copies)
				}
				if err == nil {
					err = waitHeld(ctx, counts, Partitions)
				}
				in.Resume()
				settled <- err
			}()
			stream.Handle(app, in, handler, acked)
			if n == 0 {
				m.begin()
				m.end()
				stop()
			}
			err := app.Run(ctx)
			if serr := <-settled; serr != nil && ctx.Err() == nil {
				err = errors.Join(serr, err)
			}
			if f := failed.Load(); f != nil {
				err = errors.Join(*f, err)
			}
			return err
		},
		check: func() error {
			err := checkCounts(b, counts.Changelog(), n, func(v []byte) (int64, error) {
				if len(v) == 0 || v[0] != putTag {
					return 0, fmt.Errorf("not a put: %x", v)
				}
				return values.Decode(v[1:])
			})
			return errors.Join(err, os.RemoveAll(dir))
		},
	}, nil
}

// An ackedTable is a table that also counts the acknowledgements of the
// changes sent to it, with done: one closure per change more than a
// program would make, charged to slipstream. Embedding the table keeps
// what the app sees of it: an AsyncSink and a Closer.
type ackedTable struct {
	*state.Table[string, int64]
	done func(error)
}

// SendAsync sends c to the table, counting its acknowledgement.
func (a *ackedTable) SendAsync(ctx context.Context, c state.Change[string, int64], done func(error)) error {
	return a.Table.SendAsync(ctx, c, func(err error) {
		if done != nil {
			done(err)
		}
		a.done(err)
	})
}

// Send is SendAsync, waiting for the acknowledgement, for the rare caller
// that uses a Sink's Send: the app uses SendAsync.
func (a *ackedTable) Send(ctx context.Context, c state.Change[string, int64]) error {
	errc := make(chan error, 1)
	if err := a.SendAsync(ctx, c, func(err error) { errc <- err }); err != nil {
		return err
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitHeld returns once table holds partitions partitions, or with ctx's
// error.
func waitHeld(ctx context.Context, table *state.Table[string, int64], partitions int) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for len(table.Held()) < partitions {
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafkabench: waiting for table %s to hold %d partitions (it holds %v): %w", table.Changelog(), partitions, table.Held(), context.Cause(ctx))
		case <-tick.C:
		}
	}
	return nil
}

// waitGroupStable returns once group is stable with members members, each
// assigned partitions, or with ctx's error.
func waitGroupStable(ctx context.Context, b broker, group string, members int) error {
	cm, stopLogs := rawConf(conf(b), nil)
	defer stopLogs()
	admin, err := ckafka.NewAdminClient(cm)
	if err != nil {
		return err
	}
	defer admin.Close()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := admin.DescribeConsumerGroups(ctx, []string{group})
		if err == nil && len(res.ConsumerGroupDescriptions) == 1 && stable(res.ConsumerGroupDescriptions[0], members) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kafkabench: waiting for group %s to be stable with %d members: %w", group, members, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// stable reports whether d is a stable group of members members, each
// assigned partitions.
func stable(d ckafka.ConsumerGroupDescription, members int) bool {
	if d.Error.Code() != ckafka.ErrNoError || d.State != ckafka.ConsumerGroupStateStable || len(d.Members) != members {
		return false
	}
	for _, m := range d.Members {
		if len(m.Assignment.TopicPartitions) == 0 {
			return false
		}
	}
	return true
}
