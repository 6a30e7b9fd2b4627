package ckpt

import (
	"encoding/json"
	"fmt"

	"github.com/slipstream-go/slipstream/kv"
)

// The last parts of the cache keys (see [Options.KeyPrefix]).
const (
	stateName           = "state"
	stateMarkerName     = "state_marker"
	checkpointStateName = "checkpoint_state"
	checkpointMarkName  = "checkpoint_marker"
	isDownName          = "is_down"
	downStateName       = "down_state"
	downtimeName        = "downtime"
)

// The writes of one Heartbeat or CheckPulse go to the cache in one batch:
// a crash keeps all of them or none, so a state is never stored without
// its marker.
type batch = kv.Batch[string, []byte]

func (c *Checkpoint[M, D]) batch() *batch {
	if c.cache == nil {
		return nil
	}
	return c.cache.Batch()
}

// depKey returns the key of the named part of d's checkpoint.
func (c *Checkpoint[M, D]) depKey(d *Dependency[M, D], part string) string {
	return c.key + d.name + "_" + part
}

func (c *Checkpoint[M, D]) putState(b *batch, key string, s State) {
	if b != nil {
		v, _ := json.Marshal(s) // a map of strings to integers always encodes
		b.Set(key, v)
	}
}

func (c *Checkpoint[M, D]) putBool(b *batch, key string, v bool) {
	if b != nil {
		b.Set(key, []byte(fmt.Sprint(v)))
	}
}

func (c *Checkpoint[M, D]) putMarker(b *batch, key string, m M) error {
	if b == nil {
		return nil
	}
	v, err := c.markers.Encode(m)
	if err != nil {
		return fmt.Errorf("ckpt: checkpoint %q: encoding marker %v for %s: %w", c.name, m, key, err)
	}
	b.Set(key, v)
	return nil
}

// putDowntime adds d's last downtime to b, as JSON. A downtime that JSON
// cannot encode is not stored: it is for information only.
func (c *Checkpoint[M, D]) putDowntime(b *batch, d *Dependency[M, D], downtime D) {
	if b == nil {
		return
	}
	v, err := json.Marshal(downtime)
	if err != nil {
		c.logger.Warn("ckpt: cannot store a downtime", "checkpoint", c.name, "dependency", d.name, "err", err)
		return
	}
	b.Set(c.depKey(d, downtimeName), v)
}

// putCheckpoint adds d's checkpoint, state and marker, to b.
func (c *Checkpoint[M, D]) putCheckpoint(b *batch, d *Dependency[M, D], s State, m M) error {
	c.putState(b, c.depKey(d, checkpointStateName), s)
	return c.putMarker(b, c.depKey(d, checkpointMarkName), m)
}

func (c *Checkpoint[M, D]) commit(b *batch) error {
	if b == nil || b.Len() == 0 {
		return nil
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("ckpt: checkpoint %q: storing to %v: %w", c.name, c.cache, err)
	}
	return nil
}

// load reads what the checkpoint stored in its cache, if it has one.
func (c *Checkpoint[M, D]) load() error {
	if c.cache == nil {
		return nil
	}
	var state State
	if _, err := c.getJSON(c.key+"_"+stateName, &state); err != nil {
		return err
	}
	if state != nil {
		c.state = state
	}
	var err error
	if c.marker, c.hasMarker, err = c.getMarker(c.key + "_" + stateMarkerName); err != nil {
		return err
	}
	for _, d := range c.deps {
		var s, down State
		var isDown bool
		if _, err := c.getJSON(c.depKey(d, checkpointStateName), &s); err != nil {
			return err
		}
		m, ok, err := c.getMarker(c.depKey(d, checkpointMarkName))
		if err != nil {
			return err
		}
		if _, err := c.getJSON(c.depKey(d, isDownName), &isDown); err != nil {
			return err
		}
		if _, err := c.getJSON(c.depKey(d, downStateName), &down); err != nil {
			return err
		}
		var downtime D
		hasDowntime, err := c.getJSON(c.depKey(d, downtimeName), &downtime)
		if err != nil {
			c.logger.Warn("ckpt: cannot load a downtime", "checkpoint", c.name, "dependency", d.name, "err", err)
			hasDowntime = false
		}
		d.mu.Lock()
		d.state, d.marker, d.hasMarker, d.down, d.downState = s, m, ok, isDown, down
		d.downtime, d.hasDowntime = downtime, hasDowntime
		d.mu.Unlock()
	}
	return nil
}

func (c *Checkpoint[M, D]) get(key string) ([]byte, bool, error) {
	v, err := c.cache.Get(key)
	if err != nil {
		return nil, false, fmt.Errorf("reading %s from %v: %w", key, c.cache, err)
	}
	b, ok := v.Get()
	return b, ok, nil
}

func (c *Checkpoint[M, D]) getJSON(key string, v any) (bool, error) {
	b, ok, err := c.get(key)
	if !ok || err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("reading %s from %v: %w", key, c.cache, err)
	}
	return true, nil
}

func (c *Checkpoint[M, D]) getMarker(key string) (M, bool, error) {
	var zero M
	b, ok, err := c.get(key)
	if !ok || err != nil {
		return zero, false, err
	}
	m, err := c.markers.Decode(b)
	if err != nil {
		return zero, false, fmt.Errorf("reading %s from %v: %w", key, c.cache, err)
	}
	return m, true, nil
}
