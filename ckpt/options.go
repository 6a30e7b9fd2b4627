package ckpt

import (
	"fmt"
	"log/slog"
	"reflect"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

// DefaultKeyPrefix is the prefix of a checkpoint's keys in its cache unless
// [WithKeyPrefix] sets another: "_", as in the original.
const DefaultKeyPrefix = "_"

// An Option configures a [Checkpoint].
type Option func(*config)

type config struct {
	cache      *kv.Cache[string, []byte]
	prefix     string
	pause      bool
	onDowntime any
	onRecovery any
	markers    any
	logger     *slog.Logger
}

// WithCache makes the checkpoint store its state and marker, and each
// dependency's state, marker and downtime, in cache on every change, and
// load them when it is made, so that a restarted process goes on where the
// last one stopped, in the middle of a downtime too. Values are JSON (the
// markers: see [WithMarkerCodec]); several checkpoints can share a cache
// if their names differ.
//
//	cache, err := kv.Open("state/checkpoints", codec.StringKey(), codec.Bytes(), &kv.Options{Compaction: kv.Level})
//
// Open it with level compaction, as here: the default FIFO compaction drops
// the oldest files once the cache outgrows its size window, and with them
// the keys of a dependency that has not sent a heartbeat for a while.
func WithCache(cache *kv.Cache[string, []byte]) Option {
	return func(c *config) { c.cache = cache }
}

// WithKeyPrefix sets the prefix of the checkpoint's keys in its cache; the
// default is [DefaultKeyPrefix]. As in the original, checkpoint "activity"
// with dependency "weather" uses the keys
//
//	__activity__state
//	__activity__state_marker
//	__activity_weather_checkpoint_state
//	__activity_weather_checkpoint_marker
//
// and, additions to the original's, __activity_weather_is_down,
// __activity_weather_down_state and __activity_weather_downtime.
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithPauseDependent sets whether the checkpoint pauses its dependent while
// a dependency is down; it does by default. Without pausing, the checks
// and callbacks still run, and CheckPulse still reports downtime.
func WithPauseDependent(pause bool) Option {
	return func(c *config) { c.pause = pause }
}

// OnDowntime sets the callback that runs each time a dependency goes down:
// once per dependency and downtime, after the dependent is paused. Its
// types must be the checkpoint's, or [New] fails.
//
//	ckpt.OnDowntime(func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
//		downtime, _ := d.Downtime()
//		log.Printf("%s is down: %v behind", d.Name(), downtime)
//		return nil
//	})
func OnDowntime[M, D any](f Callback[M, D]) Option {
	return func(c *config) { c.onDowntime = f }
}

// OnRecovery sets the callback that runs each time the last dependency
// down recovers: once per downtime of the checkpoint, with the dependency
// whose heartbeat ended it. It runs before the dependent resumes, so that
// a seek it makes moves the dependent before it reads on:
//
//	ckpt.OnRecovery(func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
//		return activity.Seek(ctx, kafka.PerPartition(d.DownState().Offsets()))
//	})
//
// Its types must be the checkpoint's, or [New] fails. The original resumes
// first and then runs the callback, so that messages read in between are
// handled before the seek, and again after it.
func OnRecovery[M, D any](f Callback[M, D]) Option {
	return func(c *config) { c.onRecovery = f }
}

// WithMarkerCodec sets how markers are stored in the cache: the default is
// [codec.JSON]. Its type must be the checkpoint's marker type, or [New]
// fails.
func WithMarkerCodec[M any](markers codec.Codec[M]) Option {
	return func(c *config) { c.markers = markers }
}

// WithLogger sets the logger that reports downtimes and recoveries; the
// default is [slog.Default].
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}
func typeMismatch[M, D any](option string, f any) error {
	return fmt.Errorf("%s got a %T, but the checkpoint's callbacks are ckpt.Callback[%v, %v]",
		option, f, reflect.TypeFor[M](), reflect.TypeFor[D]())
}
