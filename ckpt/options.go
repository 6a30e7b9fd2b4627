package ckpt

import (
	"log/slog"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
)

// DefaultKeyPrefix is the prefix of a checkpoint's keys in its cache when
// [Options.KeyPrefix] is empty.
const DefaultKeyPrefix = "_"

// Options configure a [Checkpoint]: a nil *Options, or a zero field, means
// the default. Options has the checkpoint's type parameters, so that a
// callback or marker codec of other types does not compile.
//
//	c, err := ckpt.New("activity", activities, []*ckpt.TimeDependency{weather}, &ckpt.TimeOptions{
//		Cache:      checkpoints,
//		OnRecovery: seekBack,
//	})
type Options[M, D any] struct {
	// Cache, if set, keeps the checkpoint: every change is stored, one
	// batch per call, and [New] loads what is there, so that a restarted
	// process goes on where the last one stopped, in the middle of a
	// downtime too. Values are JSON (markers: see MarkerCodec); several
	// checkpoints can share a cache if their names differ.
	//
	// Open it with the default options, which keep every key, never with
	// [kv.FIFO]: a FIFO window drops the oldest files once the cache
	// outgrows it, and with them the keys of a dependency that has not
	// sent a heartbeat for a while.
	//
	//	cache, err := kv.Open("state/checkpoints", codec.StringKey(), codec.Bytes(), nil)
	Cache *kv.Cache[string, []byte]

	// KeyPrefix is the prefix of the checkpoint's keys in Cache; default
	// [DefaultKeyPrefix]. Checkpoint "activity" with dependency "weather"
	// uses the keys
	//
	//	__activity__state
	//	__activity__state_marker
	//	__activity_weather_checkpoint_state
	//	__activity_weather_checkpoint_marker
	//	__activity_weather_is_down
	//	__activity_weather_down_state
	//	__activity_weather_downtime
	KeyPrefix string

	// NoPause leaves the dependent running while a dependency is down: the
	// checks and callbacks still run, and CheckPulse still reports the
	// downtime.
	NoPause bool

	// NotReadyWhilePaused makes the checkpoint, and the app its
	// [HeartbeatSink] is bound to, not ready (metrics.Handler's /readyz)
	// while it holds the dependent paused: for a deployment that should not
	// count an instance whose stream waits for a dependency as serving.
	NotReadyWhilePaused bool

	// OnDowntime, if set, runs each time a dependency goes down (see
	// [DowntimeCheck]), after the dependent is paused.
	OnDowntime Callback[M, D]

	// OnRecovery, if set, runs each time the last dependency down recovers
	// (see [RecoveryCheck]), with the dependency whose heartbeat ended the
	// downtime. It runs before the dependent resumes, so that a seek it
	// makes moves the dependent before it reads on.
	OnRecovery Callback[M, D]

	// MarkerCodec encodes markers in Cache; default [codec.JSON].
	MarkerCodec codec.Codec[M]

	// Logger reports downtimes and recoveries; default [slog.Default].
	Logger *slog.Logger
}

// TimeOptions are the [Options] of a [TimeCheckpoint].
type TimeOptions = Options[time.Time, time.Duration]
