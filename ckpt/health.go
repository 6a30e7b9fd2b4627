package ckpt

import (
	"fmt"

	"github.com/slipstream-go/slipstream/stream/streamio"
)

// Live returns nil: a checkpoint has no client to lose. It implements
// [streamio.Prober].
func (c *Checkpoint[M, D]) Live() error { return nil }

// Ready returns an error naming the dependencies down while the checkpoint
// holds its dependent paused, if [Options.NotReadyWhilePaused] asks for
// it, and nil otherwise. It implements [streamio.Prober].
func (c *Checkpoint[M, D]) Ready() error {
	if !c.notReady {
		return nil
	}
	if _, paused := c.figures(); paused {
		return fmt.Errorf("checkpoint %s holds its dependent paused: %v down", c.name, c.downNames())
	}
	return nil
}

// Live reports on the sink's store, if it is a [streamio.Prober]. It
// implements streamio.Prober.
func (s *HeartbeatSink[T, M, D]) Live() error {
	if p, ok := s.store.(streamio.Prober); ok {
		return p.Live()
	}
	return nil
}

// Ready reports on the sink's store, if it is a [streamio.Prober], and on
// its checkpoint (see [Checkpoint.Ready]). It implements streamio.Prober.
func (s *HeartbeatSink[T, M, D]) Ready() error {
	if p, ok := s.store.(streamio.Prober); ok {
		if err := p.Ready(); err != nil {
			return err
		}
	}
	return s.c.Ready()
}

var (
	_ streamio.Prober = (*Checkpoint[int, int])(nil)
	_ streamio.Prober = (*HeartbeatSink[int, int, int])(nil)
)
