package store

// A WriteBatch collects writes to one or more stores of one database, to be
// applied atomically by [Store.Write]. The zero WriteBatch is empty and
// ready to use. A WriteBatch copies the keys and values it is given; it is
// not safe for use by several goroutines at once.
type WriteBatch struct {
	ops []batchOp
}

type opKind uint8

const (
	opPut opKind = iota
	opDelete
	opDeleteRange
)

// A batchOp is one operation of a WriteBatch: on a put, a is the key and b
// the value; on a delete range, a is the start and b the end.
type batchOp struct {
	s    Store
	kind opKind
	a, b []byte
}

// Put adds to b a put of value under key in store s.
func (b *WriteBatch) Put(s Store, key, value []byte) {
	b.ops = append(b.ops, batchOp{s: s, kind: opPut, a: clone(key), b: clone(value)})
}

// Delete adds to b a delete of key from store s.
func (b *WriteBatch) Delete(s Store, key []byte) {
	b.ops = append(b.ops, batchOp{s: s, kind: opDelete, a: clone(key)})
}

// DeleteRange adds to b a delete of the keys k with start <= k < end from
// store s.
func (b *WriteBatch) DeleteRange(s Store, start, end []byte) {
	b.ops = append(b.ops, batchOp{s: s, kind: opDeleteRange, a: clone(start), b: clone(end)})
}

// Len returns the number of operations in b.
func (b *WriteBatch) Len() int { return len(b.ops) }

// Reset empties b, so that it can be used again.
func (b *WriteBatch) Reset() {
	clear(b.ops)
	b.ops = b.ops[:0]
}

// clone returns a copy of p that is never nil, so that an empty value stays
// distinct from a missing one.
func clone(p []byte) []byte {
	return append(make([]byte, 0, len(p)), p...)
}
