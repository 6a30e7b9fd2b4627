package ckpt

import (
	"context"
	"fmt"

	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// A HeartbeatSink stores a dependency's outputs and only then heartbeats:
// the sink of a dependency's handler whose outputs the dependent reads,
// such as weather updates stored in a Cache that activities are enriched
// from. Make one with [NewHeartbeatSink].
//
// Heartbeating from the handler instead would be too early: the handler
// runs before its sinks, so a heartbeat that ends a downtime would resume
// the dependent while the output that caught up is not stored yet, and
// the dependent would read the data before it.
type HeartbeatSink[T, M, D any] struct {
	c           *Checkpoint[M, D]
	store       stream.Sink[T]
	async       streamio.AsyncSink[T] // store, if it accepts later
	marker      func(T) M
	name        []string // the dependency's, for Heartbeat
	onHeartbeat func(ctx context.Context, v T, latency Latency[M]) error
}

// NewHeartbeatSink returns a sink that sends each output v to store and,
// once store has accepted v, calls c.Heartbeat(ctx, marker(v),
// dependencyName...): bind it as the sink of the dependency's handler, in
// place of store.
//
//	stream.Handle(app, weatherTopic, stream.Func(byTime),
//		ckpt.NewHeartbeatSink(c, weatherByTime, entryTime))
//
// Store accepts v when its Send returns, or, if it is a
// [streamio.AsyncSink], when it reports v accepted; the heartbeat then
// runs on the goroutine that reports it. An error from store, from the
// heartbeat or from [HeartbeatSink.OnHeartbeat]'s function fails the app.
//
// The app takes the sink for store: it closes store if it is a
// [streamio.Closer], and counts the handler as one that writes to store
// (see [streamio.Origin]).
func NewHeartbeatSink[T, M, D any](c *Checkpoint[M, D], store stream.Sink[T], marker func(T) M, dependencyName ...string) *HeartbeatSink[T, M, D] {
	switch {
	case c == nil:
		panic("ckpt.NewHeartbeatSink: the checkpoint is nil")
	case store == nil:
		panic("ckpt.NewHeartbeatSink: store is nil")
	case marker == nil:
		panic("ckpt.NewHeartbeatSink: marker is nil")
	}
	s := &HeartbeatSink[T, M, D]{c: c, store: store, marker: marker, name: dependencyName}
	s.async, _ = store.(streamio.AsyncSink[T])
	return s
}

// OnHeartbeat returns a copy of s that calls f after each heartbeat, with
// the output and what [Checkpoint.Heartbeat] returned: to report a
// dependency that is still late, say. An error from f fails the app.
func (s *HeartbeatSink[T, M, D]) OnHeartbeat(f func(ctx context.Context, v T, latency Latency[M]) error) *HeartbeatSink[T, M, D] {
	cp := *s
	cp.onHeartbeat = f
	return &cp
}

// Send stores v, waiting for store to accept it, then heartbeats.
func (s *HeartbeatSink[T, M, D]) Send(ctx context.Context, v T) error {
	if err := s.store.Send(ctx, v); err != nil {
		return err
	}
	return s.heartbeat(ctx, v)
}

// SendAsync hands v to store and returns; done runs once store has
// accepted v and the heartbeat has run, with the error of either. It
// implements [streamio.AsyncSink].
func (s *HeartbeatSink[T, M, D]) SendAsync(ctx context.Context, v T, done func(error)) error {
	if s.async == nil {
		if err := s.store.Send(ctx, v); err != nil {
			return err // not taken
		}
		done(s.heartbeat(ctx, v))
		return nil
	}
	return s.async.SendAsync(ctx, v, func(err error) {
		if err == nil {
			err = s.heartbeat(ctx, v)
		}
		done(err)
	})
}

// heartbeat reports v's marker to the checkpoint.
func (s *HeartbeatSink[T, M, D]) heartbeat(ctx context.Context, v T) error {
	latency, err := s.c.Heartbeat(ctx, s.marker(v), s.name...)
	if err != nil {
		return err
	}
	if s.onHeartbeat != nil {
		return s.onHeartbeat(ctx, v, latency)
	}
	return nil
}

// Origin returns store, which the app takes the sink for.
func (s *HeartbeatSink[T, M, D]) Origin() any { return s.store }

// String describes the sink: its store, then the checkpoint it heartbeats.
func (s *HeartbeatSink[T, M, D]) String() string {
	store := fmt.Sprintf("%T", s.store)
	if st, ok := s.store.(fmt.Stringer); ok {
		store = st.String()
	}
	return fmt.Sprintf("%s, then a heartbeat of checkpoint %s", store, s.c.name)
}
