package window

import (
	"context"
	"sync"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kafka"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/state"
)

// State is where an operator keeps its windows: a partitioned [Table] for
// a Kafka topic ([NewTable]), or a [kv.Cache] for a local stream
// ([InCache]). Its keys and values are bytes that the operator encodes;
// see the package documentation for their layout.
type State interface {
	get(p int32, k []byte) ([]byte, bool, error)
	iter(p int32) (*kv.Iterator[[]byte, []byte], error)
	// send applies w, then calls done once it is accepted (for a table:
	// once its changelog has it).
	send(ctx context.Context, w write, done func(error)) error
	// moved registers fn, called with the partitions that come or go.
	moved(fn func(ps []int32))
	// origin is the value the app closes (see streamio.Origin).
	origin() any
}

// A write is a change to an operator's state.
type write struct {
	p          int32
	key, value []byte
	del        bool
}

// A Table is window state partitioned as a Kafka topic is: a
// [state.Table] of bytes, with a RocksDB shard per partition and a
// compacted changelog, restored when a partition is assigned.
type Table struct {
	t *state.Table[[]byte, []byte]

	mu        sync.Mutex
	listeners []func([]int32)
}

// NewTable returns the window state called name for the operators that
// read input (see [state.New], which it calls with opts). Bind input to
// them with [Handle]; the app closes the table when it stops.
func NewTable[IK, IV any](ctx context.Context, name string, input *kafka.Topic[IK, IV], opts *state.Options) (*Table, error) {
	t, err := state.New(ctx, name, input, codec.Bytes(), codec.Bytes(), opts)
	if err != nil {
		return nil, err
	}
	wt := &Table{t: t}
	input.Listen(wt)
	return wt, nil
}

// State returns the table of bytes beneath t, to inspect it.
func (t *Table) State() *state.Table[[]byte, []byte] { return t.t }

// Close closes the table (see [state.Table.Close]).
func (t *Table) Close(ctx context.Context) error { return t.t.Close(ctx) }

// Assigned tells t's operators that partitions ps came; it implements
// [kafka.PartitionListener].
func (t *Table) Assigned(_ context.Context, ps []int32) error {
	t.tell(ps)
	return nil
}

// Revoked tells t's operators that partitions ps left; it implements
// [kafka.PartitionListener].
func (t *Table) Revoked(ps []int32) { t.tell(ps) }

func (t *Table) tell(ps []int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, fn := range t.listeners {
		fn(ps)
	}
}

func (t *Table) moved(fn func([]int32)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.listeners = append(t.listeners, fn)
}

func (t *Table) get(p int32, k []byte) ([]byte, bool, error) {
	v, err := t.t.Get(p, k)
	if err != nil {
		return nil, false, err
	}
	b, ok := v.Get()
	return b, ok, nil
}

func (t *Table) iter(p int32) (*kv.Iterator[[]byte, []byte], error) { return t.t.Iter(p) }

func (t *Table) send(ctx context.Context, w write, done func(error)) error {
	c := state.Put(w.p, w.key, w.value)
	if w.del {
		c = state.Delete[[]byte, []byte](w.p, w.key)
	}
	return t.t.SendAsync(ctx, c, done)
}

func (t *Table) origin() any { return t }

// InCache returns window state kept in c, for a local stream: every
// record is taken to come from one partition, whatever the Input's
// Partition says. The caller closes c.
func InCache(c *kv.Cache[[]byte, []byte]) State { return cacheState{c} }

type cacheState struct{ c *kv.Cache[[]byte, []byte] }

func (s cacheState) get(_ int32, k []byte) ([]byte, bool, error) {
	v, err := s.c.Get(k)
	if err != nil {
		return nil, false, err
	}
	b, ok := v.Get()
	return b, ok, nil
}

func (s cacheState) iter(int32) (*kv.Iterator[[]byte, []byte], error) { return s.c.Iter(), nil }

func (s cacheState) send(_ context.Context, w write, done func(error)) error {
	var err error
	if w.del {
		err = s.c.Delete(w.key)
	} else {
		err = s.c.Set(w.key, w.value)
	}
	if err != nil {
		return err
	}
	done(nil)
	return nil
}

func (cacheState) moved(func([]int32)) {}

func (s cacheState) origin() any { return s.c }
