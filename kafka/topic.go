package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/zerocopy"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// A Topic is a named Kafka topic, and both a [stream.Source] of
// [Message]s and a [streamio.AsyncSink] of them: bind it to handlers with
// [stream.Handle] on either side, or read and write it directly with
// [Topic.Messages], [Topic.Produce] and [Topic.Send].
//
// Keys of type K and values of type V go through codecs (see
// [WithKeyCodec] and [WithValueCodec]); strings and byte slices need none.
//
// The Kafka clients are made lazily: the first send makes the producer, and
// each read of the topic (each [stream.From], [stream.Handle] or
// [Topic.Messages]) makes a consumer. [Topic.Close] closes them; an app
// closes the topics bound to it when it stops.
//
// A Topic is safe for concurrent use.
type Topic[K, V any] struct {
	name     string
	conf     ConfigMap
	keyCodec codec.Codec[K]
	valCodec codec.Codec[V]
	// The codecs' encoders for bytes librdkafka copies (see
	// zerocopy.Encoder), and decoders for bytes handed over (see
	// zerocopy.Decoder).
	encodeKey   func(K) ([]byte, error)
	encodeValue func(V) ([]byte, error)
	decodeKey   func([]byte) (K, error)
	decodeValue func([]byte) (V, error)
	start       Offset
	dry         bool
	ownPart     bool // send each message to its Partition (WithMessagePartition)
	bad         BadInput
	logger      *slog.Logger
	eo          *ExactlyOnce // the exactly-once group it is in; nil: at-least-once

	skipped atomic.Int64
	metrics topicMetrics // see Instrument

	mu        sync.Mutex
	prod      atomic.Pointer[producer] // made by the first send; set and cleared under mu
	dlq       *producer                // made by the first dead letter
	consumers []*consumer[K, V]        // running, or stopped and waiting for Close
	listeners []PartitionListener      // see Listen
	changed   chan struct{}            // closed and replaced when a consumer starts or its assignment changes
}

// An Option configures a [Topic] made by [NewTopic].
type Option func(*options)

type options struct {
	keyCodec, valCodec any
	start              Offset
	dry                bool
	ownPart            bool
	bad                BadInput
	logger             *slog.Logger
	eo                 *ExactlyOnce
	errs               []error
}

// WithKeyCodec sets the codec of the topic's keys. Its type must be the
// topic's key type. Without it, keys must be strings or byte slices.
func WithKeyCodec[K any](c codec.Codec[K]) Option {
	return func(o *options) { o.keyCodec = c }
}

// WithValueCodec sets the codec of the topic's values. Its type must be the
// topic's value type. Without it, values must be strings or byte slices.
func WithValueCodec[V any](c codec.Codec[V]) Option {
	return func(o *options) { o.valCodec = c }
}

// WithOffset sets where each consumer of the topic starts reading:
// [Beginning], [End], [At] one offset in every partition, or
// [PerPartition]. It applies to the partitions a consumer is given when it
// joins its group; partitions it is given later, in rebalances, resume from
// the group's committed offsets, so that a rebalance never rereads the
// topic. Without it, consumers start from the committed offsets
// ([Committed]). An offset beyond a partition's end is handled as
// librdkafka's auto.offset.reset says; [Topic.Seek] checks offsets instead.
func WithOffset(off Offset) Option {
	return func(o *options) {
		if err := off.check(); err != nil {
			o.errs = append(o.errs, err)
		}
		o.start = off
	}
}

// WithDryRun makes the topic log "skipped sending message to NAME" instead
// of sending: it makes no producer, and every send succeeds at once.
// Reading is unaffected.
func WithDryRun() Option {
	return func(o *options) { o.dry = true }
}

// WithMessagePartition makes the topic send each message to the partition
// its Partition field names, rather than to one its partitioner picks from
// the key: for a changelog, whose partitions mirror those of an input.
func WithMessagePartition() Option {
	return func(o *options) { o.ownPart = true }
}

// WithBadInput sets what the topic does with a message its codecs cannot
// decode: [StopOnBadInput] (the default), [SkipBadInput] or [DeadLetter].
func WithBadInput(p BadInput) Option {
	return func(o *options) { o.bad = p }
}

// WithLogger sets the topic's logger, which also receives librdkafka's
// warnings and errors; the default is [slog.Default].
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// NewTopic returns the topic called name, configured with the process-wide
// defaults of [Conf] merged with conf (conf wins). It checks every
// configuration key and value with librdkafka, and the options, but does not
// connect to Kafka.
//
// Keys and values need codecs unless they are strings (UTF-8 text) or byte
// slices:
//
//	orders, err := kafka.NewTopic[string, Order]("orders", kafka.ConfigMap{
//		"bootstrap.servers": "localhost:9092",
//		"group.id":          "billing",
//	}, kafka.WithValueCodec(codec.JSON[Order]()))
func NewTopic[K, V any](name string, conf ConfigMap, opts ...Option) (*Topic[K, V], error) {
	if name == "" {
		return nil, errors.New("kafka: NewTopic: the topic name is empty")
	}
	fail := func(err error) (*Topic[K, V], error) {
		return nil, fmt.Errorf("kafka: topic %s: %w", name, err)
	}
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if err := errors.Join(o.errs...); err != nil {
		return fail(err)
	}
	snap := snapshot(conf)
	if err := validate(snap); err != nil {
		return fail(err)
	}
	if err := checkInstanceName(snap, name); err != nil {
		return fail(err)
	}
	if o.eo != nil {
		if err := o.eo.check(name, snap); err != nil {
			return fail(err)
		}
	}
	kc, err := codecFor[K]("key", o.keyCodec)
	if err != nil {
		return fail(err)
	}
	vc, err := codecFor[V]("value", o.valCodec)
	if err != nil {
		return fail(err)
	}
	if o.bad.kind == badDeadLetter && o.bad.topic == name {
		return fail(errors.New("the dead-letter topic is the topic itself"))
	}
	logger := o.logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Topic[K, V]{
		name:        name,
		conf:        snap,
		keyCodec:    kc,
		valCodec:    vc,
		encodeKey:   zerocopy.Encoder(kc),
		encodeValue: zerocopy.Encoder(vc),
		decodeKey:   zerocopy.Decoder(kc),
		decodeValue: zerocopy.Decoder(vc),
		start:       o.start,
		dry:         o.dry,
		ownPart:     o.ownPart,
		bad:         o.bad,
		logger:      logger.With("topic", name),
		eo:          o.eo,
		changed:     make(chan struct{}),
	}, nil
}

// NewTopicLike returns the topic called name, configured as like is (the
// defaults of [Conf] as they were when like was made, and like's own
// configuration), with opts: for an output or a changelog that reaches
// the same cluster, with the same credentials, as an input. A topic like
// one in an [ExactlyOnce] group is in that group too.
func NewTopicLike[K, V, LK, LV any](name string, like *Topic[LK, LV], opts ...Option) (*Topic[K, V], error) {
	if like.eo != nil {
		opts = append([]Option{WithExactlyOnce(like.eo)}, opts...)
	}
	return NewTopic[K, V](name, like.conf, opts...)
}

// codecFor returns the codec given for what ("key" or "value"), or the
// default codec of T.
func codecFor[T any](what string, given any) (codec.Codec[T], error) {
	if given == nil {
		if c, ok := any(codec.String()).(codec.Codec[T]); ok {
			return c, nil
		}
		if c, ok := any(codec.Bytes()).(codec.Codec[T]); ok {
			return c, nil
		}
		return nil, fmt.Errorf("no %s codec for type %v: use With%sCodec", what, reflect.TypeFor[T](), upper(what))
	}
	c, ok := given.(codec.Codec[T])
	if !ok {
		return nil, fmt.Errorf("the %s codec %T does not encode the topic's %s type %v", what, given, what, reflect.TypeFor[T]())
	}
	return c, nil
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Name returns the topic's name.
func (t *Topic[K, V]) Name() string { return t.name }

// Conf returns a copy of the topic's configuration: the defaults of [Conf]
// when the topic was made, merged with its own. Printing it redacts
// secrets.
func (t *Topic[K, V]) Conf() ConfigMap { return maps.Clone(t.conf) }

// String returns "kafka topic NAME".
func (t *Topic[K, V]) String() string { return "kafka topic " + t.name }

// GoString returns `kafka.Topic("NAME")`, for the %#v verb, which would
// otherwise print the topic's configuration, secrets included.
func (t *Topic[K, V]) GoString() string { return fmt.Sprintf("kafka.Topic(%q)", t.name) }

// ExactlyOnce returns the exactly-once group the topic is in (see
// [WithExactlyOnce]), nil if it is at-least-once.
func (t *Topic[K, V]) ExactlyOnce() *ExactlyOnce { return t.eo }

// Skipped returns how many undecodable messages the topic has skipped under
// [SkipBadInput].
func (t *Topic[K, V]) Skipped() int64 { return t.skipped.Load() }

// Close closes the topic's Kafka clients, waiting at most until ctx is
// done: it delivers what the producer still holds, waits briefly for the
// outputs of messages read to be accepted (not after its app failed: see
// [streamio.Aborted]), commits the offsets of every
// message whose outputs were accepted, and closes the consumers that have
// stopped reading. Errors are logged and returned. An app calls Close on the
// topics bound to it when it stops (see [streamio.Closer]); call it yourself
// after [Topic.Produce] or [Topic.Send] outside an app. A closed topic can be
// used again: it makes new clients. So one topic can serve several apps: one
// app stopping leaves the consumers of the others reading.
func (t *Topic[K, V]) Close(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultCloseTimeout)
		defer cancel()
	}
	t.mu.Lock()
	prod, dlq := t.prod.Swap(nil), t.dlq
	t.dlq = nil
	consumers, reading := finished(t.consumers)
	t.consumers = reading
	t.mu.Unlock()

	var errs []error
	// Deliver first: delivery reports accept the messages the consumers
	// then commit.
	for _, p := range []*producer{dlq, prod} {
		if p != nil {
			p.flush(ctx)
		}
	}
	errs = append(errs, closeAll(ctx, consumers)...)
	for _, p := range []*producer{dlq, prod} {
		if p != nil {
			errs = append(errs, p.close(ctx))
		}
	}
	err := errors.Join(errs...)
	if err != nil {
		t.logger.Error("kafka: closing topic", "err", err)
	}
	return err
}

// finished splits consumers into those whose Feed has returned, which Close
// closes, and those still reading, in another app that is still running,
// which that app's own Close will close when it stops.
func finished[K, V any](consumers []*consumer[K, V]) (done, reading []*consumer[K, V]) {
	for _, c := range consumers {
		select {
		case <-c.fed:
			done = append(done, c)
		default:
			reading = append(reading, c)
		}
	}
	return done, reading
}

// closeAll closes consumers at once and returns their errors. The
// consumers of one group (a handler run as copies, see
// stream.Handler.Parallel) leave it together: closed one after another,
// each leaving starts a rebalance that the others, which no longer poll,
// never rejoin, and the close of the next one could hang in librdkafka's
// wait for its consumer to be closed until the Close's deadline
// (TestParallelCount in package state, about one run in three).
func closeAll[K, V any](ctx context.Context, consumers []*consumer[K, V]) []error {
	errs := make([]error, len(consumers))
	var wg sync.WaitGroup
	for i, c := range consumers {
		wg.Go(func() { errs[i] = c.close(ctx) })
	}
	wg.Wait()
	return errs
}

// defaultCloseTimeout bounds Close when its context has no deadline.
const defaultCloseTimeout = 30 * time.Second

// notify wakes whoever waits for a consumer or an assignment (Seek).
func (t *Topic[K, V]) notify() {
	t.mu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

var (
	_ stream.Source[Message[string, string]]      = (*Topic[string, string])(nil)
	_ streamio.AsyncSink[Message[string, string]] = (*Topic[string, string])(nil)
	_ streamio.Closer                             = (*Topic[string, string])(nil)
	_ streamio.Partitioned                        = (*Topic[string, string])(nil)
)
