package state

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/samber/mo"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/internal/zerocopy"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// ErrNotHeld is the error of a read or write for a partition that this
// instance does not hold: not assigned to its consumer, or assigned and
// not yet restored.
var ErrNotHeld = errors.New("partition not held by this instance")

// A Table is keyed state partitioned as its input topic is; see the
// package documentation. It is a sink of [Change]s and safe for use by
// several goroutines at once.
type Table[K, V any] struct {
	name      string
	dir       string
	keys      codec.Codec[K]
	values    codec.Codec[V]
	viewKey   func(K) ([]byte, error) // see zerocopy.Encoder
	viewValue func(V) ([]byte, error)
	changelog *kafka.Topic[[]byte, []byte]
	logger    *slog.Logger

	restored  atomic.Int64    // changelog records read by restores
	restoring atomic.Int64    // partitions being restored
	collector *tableCollector // its metrics (see Instrument)

	mu     sync.RWMutex
	shards map[int32]*shard[K, V] // the partitions held, restored
	closed bool
}

// Options configure a [Table]. A nil *Options means the defaults.
type Options struct {
	// Dir is the directory of the table's shards, each in
	// Dir/<table>/<partition>. A shard is a cache of its changelog
	// partition: one lost is restored in full. Default
	// <os.TempDir()>/slipstream/<group.id>; set it to a lasting place in
	// production, so that a restart reads only the changelog's tail.
	Dir string
	// Changelog names the changelog topic. Default
	// "<group.id>-<table>-changelog", from the input's configuration.
	Changelog string
	// Logger receives the table's log lines; default slog.Default().
	Logger *slog.Logger
}

// New returns the table called name, partitioned as input is, whose keys
// and values are encoded with keys and values. It makes the changelog
// topic if it is missing and checks that it has input's partition count,
// then listens to input's consumers: bind input to the handlers that read
// and write the table. The caller closes the table once the app has
// stopped.
func New[K, V, IK, IV any](ctx context.Context, name string, input *kafka.Topic[IK, IV], keys codec.Codec[K], values codec.Codec[V], opts *Options) (*Table[K, V], error) {
	if opts == nil {
		opts = &Options{}
	}
	fail := func(err error) (*Table[K, V], error) { return nil, fmt.Errorf("state: table %s: %w", name, err) }
	if name == "" || name != filepath.Base(name) {
		return nil, fmt.Errorf("state: table name %q: want a plain name, used in a directory and a topic name", name)
	}
	group, _ := input.Conf()["group.id"].(string)
	if group == "" && opts.Changelog == "" {
		return fail(fmt.Errorf("input topic %s has no group.id to name the changelog after", input.Name()))
	}
	changelog, err := kafka.NewTopicLike[[]byte, []byte](cmp.Or(opts.Changelog, group+"-"+name+"-changelog"), input, kafka.WithMessagePartition())
	if err != nil {
		return fail(err)
	}
	if err := copartition(ctx, input, changelog); err != nil {
		_ = changelog.Close(ctx)
		return fail(err)
	}
	t := &Table[K, V]{
		name:      name,
		dir:       filepath.Join(cmp.Or(opts.Dir, filepath.Join(os.TempDir(), "slipstream", group)), name),
		keys:      keys,
		values:    values,
		viewKey:   zerocopy.Encoder(keys),
		viewValue: zerocopy.Encoder(values),
		changelog: changelog,
		logger:    cmp.Or(opts.Logger, slog.Default()).With("table", name),
		shards:    make(map[int32]*shard[K, V]),
	}
	t.collector = newTableCollector(name, t.figures)
	input.Listen(t)
	return t, nil
}

// copartition makes the changelog if it is missing, with input's
// partitions, and fails if the two differ.
func copartition[IK, IV any](ctx context.Context, input *kafka.Topic[IK, IV], changelog *kafka.Topic[[]byte, []byte]) error {
	n, err := input.Partitions(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("input topic %s does not exist", input.Name())
	}
	if err := changelog.Create(ctx, n, map[string]string{"cleanup.policy": "compact"}); err != nil {
		return err
	}
	m, err := changelog.Partitions(ctx)
	if err != nil {
		return err
	}
	if m != n {
		return fmt.Errorf("changelog %s has %d partitions and input %s has %d: they must be co-partitioned", changelog.Name(), m, input.Name(), n)
	}
	return nil
}

// Name returns the table's name.
func (t *Table[K, V]) Name() string { return t.name }

// String returns "Table(name)".
func (t *Table[K, V]) String() string { return "Table(" + t.name + ")" }

// Changelog returns the name of the table's changelog topic.
func (t *Table[K, V]) Changelog() string { return t.changelog.Name() }

// Held returns the partitions this instance holds, restored, in order.
func (t *Table[K, V]) Held() []int32 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return slices.Sorted(maps.Keys(t.shards))
}

// Restored returns how many changelog records restores have read.
func (t *Table[K, V]) Restored() int64 { return t.restored.Load() }

// shard returns the shard of partition p, or an error wrapping ErrNotHeld.
func (t *Table[K, V]) shard(p int32) (*shard[K, V], error) {
	t.mu.RLock()
	s := t.shards[p]
	t.mu.RUnlock()
	if s == nil {
		return nil, fmt.Errorf("state: table %s: partition %d: %w (held: %v)", t.name, p, ErrNotHeld, t.Held())
	}
	return s, nil
}

// Get returns the value of k in partition p's shard (absent is not an
// error).
func (t *Table[K, V]) Get(p int32, k K) (mo.Option[V], error) {
	s, err := t.shard(p)
	if err != nil {
		return mo.None[V](), err
	}
	return s.cache.Get(k)
}

// Has reports whether k has a value in partition p's shard.
func (t *Table[K, V]) Has(p int32, k K) (bool, error) {
	s, err := t.shard(p)
	if err != nil {
		return false, err
	}
	return s.cache.Has(k)
}

// Iter returns an iterator over partition p's shard, in key order (see
// [kv.Iterator]).
func (t *Table[K, V]) Iter(p int32) (*kv.Iterator[K, V], error) {
	s, err := t.shard(p)
	if err != nil {
		return nil, err
	}
	return s.cache.Iter(), nil
}

// Close releases every shard, recording how far each has read its
// changelog, and closes the changelog's producer. An app closes the tables
// bound to it as sinks when it stops (a Table is a [streamio.Closer]);
// closing again does nothing.
func (t *Table[K, V]) Close(ctx context.Context) error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	shards := t.shards
	t.shards = map[int32]*shard[K, V]{}
	t.mu.Unlock()
	var errs []error
	clean := !streamio.Aborted(ctx) // an app that failed aborted its transaction
	for _, s := range shards {
		errs = append(errs, t.release(ctx, s, clean))
	}
	errs = append(errs, t.changelog.Close(ctx))
	return errors.Join(errs...)
}
