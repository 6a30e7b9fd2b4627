package kafka

import (
	"errors"
	"fmt"

	"github.com/slipstream-go/slipstream/stream/streamio"
)

// rebalanced is a consumer's rebalancer's notify: the consumer has joined
// its group, and whoever waits for an assignment (Seek) is woken.
func (c *consumer[K, V]) rebalanced() {
	c.joined.Store(true)
	c.t.notify()
}

// holds reports whether partition p is assigned. Only the goroutine that
// polls may call it (see offsets.parts).
func (o *offsets) holds(p int32) bool { return o.parts[p] != nil }

// count returns how many partitions are assigned.
func (o *offsets) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.parts)
}

// waiting returns the assigned partitions not yet announced: their
// listeners (a table restoring their state) have not finished.
func (o *offsets) waiting() []int32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ps []int32
	for p, pt := range o.parts {
		if !pt.announced {
			ps = append(ps, p)
		}
	}
	return ps
}

// Live reports whether the topic's clients can work: no consumer or
// producer of it has failed for good, and, for an instrumented topic (see
// [Topic.Instrument]), each consumer reading it is connected to a broker,
// as its last statistics say. It implements [streamio.Prober].
func (t *Topic[K, V]) Live() error {
	var errs []error
	if p := t.prod.Load(); p != nil {
		if err := p.err(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range t.reading() {
		if c.poller.fatal.Load() {
			errs = append(errs, errors.New("a consumer has failed for good"))
			continue
		}
		if s := c.obs.lastStats(); s != nil && s.broker > 0 && s.brokersUp == 0 {
			errs = append(errs, fmt.Errorf("a consumer is connected to none of the %d brokers it knows", s.broker))
		}
	}
	return errors.Join(errs...)
}

// Ready reports whether every consumer reading the topic has joined its
// group and handles every partition assigned to it: none waits for its
// listeners (a table restoring the partition's state). It implements
// [streamio.Prober]. A topic nothing reads is ready.
func (t *Topic[K, V]) Ready() error {
	var errs []error
	for _, c := range t.reading() {
		if !c.joined.Load() {
			errs = append(errs, errors.New("a consumer is joining its group"))
			continue
		}
		if ps := c.offsets.waiting(); len(ps) > 0 {
			errs = append(errs, fmt.Errorf("partitions %v are being restored", ps))
		}
	}
	return errors.Join(errs...)
}

// lastStats returns what the consumer's last statistics said; nil if it
// has none yet or no metrics.
func (o *consumerObserver) lastStats() *consumerStats {
	if o == nil {
		return nil
	}
	return o.stats.Load()
}

var _ streamio.Prober = (*Topic[string, string])(nil)
