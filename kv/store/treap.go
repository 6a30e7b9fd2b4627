package store

import (
	"bytes"
	"math/rand/v2"
)

// A node is a node of a persistent treap: a binary search tree on key and a
// heap on prio. Nodes are never modified once they are part of a tree; a
// write copies the nodes on its path instead.
type node struct {
	key, value  []byte
	prio        uint64
	left, right *node
}

func (n *node) copy() *node {
	c := *n
	return &c
}

func treeGet(t *node, key []byte) ([]byte, bool, error) {
	n := find(t, key)
	if n == nil {
		return nil, false, nil
	}
	return clone(n.value), true, nil
}

// find returns the node of key, or nil.
func find(t *node, key []byte) *node {
	for t != nil {
		switch c := bytes.Compare(key, t.key); {
		case c < 0:
			t = t.left
		case c > 0:
			t = t.right
		default:
			return t
		}
	}
	return nil
}

// ceiling returns the node of the smallest key >= key (> key if strict).
func ceiling(t *node, key []byte, strict bool) *node {
	var best *node
	for t != nil {
		c := bytes.Compare(t.key, key)
		if c > 0 || (c == 0 && !strict) {
			best, t = t, t.left
		} else {
			t = t.right
		}
	}
	return best
}

// floor returns the node of the largest key <= key (< key if strict).
func floor(t *node, key []byte, strict bool) *node {
	var best *node
	for t != nil {
		c := bytes.Compare(t.key, key)
		if c < 0 || (c == 0 && !strict) {
			best, t = t, t.right
		} else {
			t = t.left
		}
	}
	return best
}

func first(t *node) *node {
	for t != nil && t.left != nil {
		t = t.left
	}
	return t
}

func last(t *node) *node {
	for t != nil && t.right != nil {
		t = t.right
	}
	return t
}

// split splits t into the keys < key (<= key if orEqual) and the rest.
func split(t *node, key []byte, orEqual bool) (l, r *node) {
	if t == nil {
		return nil, nil
	}
	c := bytes.Compare(t.key, key)
	if c < 0 || (c == 0 && orEqual) {
		n := t.copy()
		n.right, r = split(t.right, key, orEqual)
		return n, r
	}
	n := t.copy()
	l, n.left = split(t.left, key, orEqual)
	return l, n
}

// merge joins l and r, every key of l being smaller than every key of r.
func merge(l, r *node) *node {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case l.prio > r.prio:
		n := l.copy()
		n.right = merge(l.right, r)
		return n
	default:
		n := r.copy()
		n.left = merge(l, r.left)
		return n
	}
}

// insert returns t with value under key; it keeps key and value.
func insert(t *node, key, value []byte) *node {
	if find(t, key) != nil {
		return replace(t, key, value)
	}
	l, r := split(t, key, false)
	return merge(merge(l, &node{key: key, value: value, prio: rand.Uint64()}), r)
}

// replace returns t with the value of key, which t holds, replaced.
func replace(t *node, key, value []byte) *node {
	n := t.copy()
	switch c := bytes.Compare(key, t.key); {
	case c < 0:
		n.left = replace(t.left, key, value)
	case c > 0:
		n.right = replace(t.right, key, value)
	default:
		n.value = value
	}
	return n
}

// remove returns t without key.
func remove(t *node, key []byte) *node {
	if find(t, key) == nil {
		return t
	}
	l, r := split(t, key, false)
	_, r = split(r, key, true)
	return merge(l, r)
}

// removeRange returns t without the keys k with start <= k < end.
func removeRange(t *node, start, end []byte) *node {
	if bytes.Compare(start, end) >= 0 {
		return t
	}
	l, r := split(t, start, false)
	_, r = split(r, end, false)
	return merge(l, r)
}
