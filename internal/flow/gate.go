package flow

import (
	"context"
	"sync"
	"sync/atomic"
)

// A gate holds a source while its stream is paused. Checking an open gate is
// one atomic load.
type gate struct {
	paused  atomic.Bool
	mu      sync.Mutex
	resumed chan struct{} // closed on resume; replaced on pause
}

func newGate() *gate {
	g := &gate{resumed: make(chan struct{})}
	close(g.resumed)
	return g
}

func (g *gate) pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.paused.Load() {
		g.resumed = make(chan struct{})
		g.paused.Store(true)
	}
}

func (g *gate) resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused.Load() {
		g.paused.Store(false)
		close(g.resumed)
	}
}

// wait returns at once when the gate is open, otherwise when it opens, ctx is
// done or abort is closed.
func (g *gate) wait(ctx context.Context, abort <-chan struct{}) error {
	if !g.paused.Load() {
		return nil
	}
	return g.waitResumed(ctx, abort)
}

// waitResumed is wait's slow path, apart so that the check of an open gate
// is inlined where items pass it.
func (g *gate) waitResumed(ctx context.Context, abort <-chan struct{}) error {
	g.mu.Lock()
	resumed := g.resumed
	g.mu.Unlock()
	select {
	case <-resumed:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-abort:
		return errAborted
	}
}
