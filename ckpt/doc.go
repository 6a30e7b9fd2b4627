// Package ckpt detects late data and downtime between streams, and pauses a
// stream while the streams it depends on are down or behind: slipstream's
// Checkpoint and Dependency.
//
// # The problem
//
// An activity stream is enriched with the latest weather, from a weather
// stream (a temporal join, see the join example). If the weather stream
// stops, or falls behind, activities go on being enriched with stale
// weather. A [Checkpoint] notices: it ties one dependent stream (the
// activities) to one or more [Dependency] streams (the weather), compares
// their markers (event times, by default), pauses the dependent while a
// dependency is down, and resumes it once the dependency has caught up.
// What the dependent handled with stale data can then be handled again.
//
// # Wiring
//
// Each handler reports what it handles. The dependency's handler calls
// [Checkpoint.Heartbeat] with each item's event time; the dependent's
// handler calls [Checkpoint.CheckPulse] with each item's event time and
// where it is (its offset; see [State]):
//
//	activity := stream.From(activityTopic) // the very stream to pause
//	weather := ckpt.NewDependency("weather")
//	c, err := ckpt.New("activity", activity, []*ckpt.TimeDependency{weather}, nil)
//	...
//	stream.Handle(app, weatherTopic, stream.FuncErr(func(ctx context.Context, m kafka.Message[string, Weather]) (kv.Entry[time.Time, Weather], error) {
//		_, err := c.Heartbeat(ctx, m.Value.Time)
//		return kv.NewEntry(m.Value.Time, m.Value), err
//	}), weatherByTime)
//	stream.Handle(app, activity, stream.FuncErr(func(ctx context.Context, m kafka.Message[string, Activity]) (string, error) {
//		downtime, down, err := c.CheckPulse(ctx, m.Value.Time, ckpt.PartitionOffset(m.Partition, m.Offset))
//		if down {
//			log.Printf("weather is %v behind", downtime)
//		}
//		return enrich(m.Value), err
//	}), out)
//
// # Downtime and recovery
//
// At each pulse, each dependency's downtime check runs. By default a
// dependency is down when the dependent's marker is more than the
// dependency's threshold (ten minutes; see [WithThreshold]) ahead of the
// marker of its last heartbeat, strictly. A dependency that has had no
// heartbeat yet takes the dependent's marker at the first pulse, so one
// that never sends anything is found down once the dependent has moved on
// by more than the threshold.
//
// When a dependency goes down, the checkpoint pauses the dependent (see
// [Options.NoPause]) and runs the downtime callback ([Options.OnDowntime]).
// Pausing a stream pauses its sources: a Kafka topic pauses its partitions
// and keeps polling, so the consumer stays in its group however long the
// downtime. Items already past the source when the pause starts are still
// handled, and still pulse.
//
// At each heartbeat of a dependency that is down, its recovery check runs:
// by default, it has recovered once its marker is later than the
// dependent's. A dependency that comes back with a backlog therefore stays
// down, and the dependent paused, until it has worked through the backlog
// to where the dependent is. [Latency], which Heartbeat returns, says
// whether the dependency is still late, to treat its late items
// differently. Once no dependency is down, the recovery callback runs
// ([Options.OnRecovery]) and the dependent resumes.
//
// Callbacks run once per transition: a downtime callback each time a
// dependency goes down, a recovery callback each time the last one down
// recovers. They run one at a time, in the order of the transitions.
//
// # Reprocessing
//
// The [State] given to CheckPulse is the dependent's position. Each
// dependency keeps the state at its last heartbeat ([Dependency.State],
// the original's checkpoint_state) and the state at the pulse that found
// it down ([Dependency.DownState]): the position of the first item handled
// with data too stale. The recovery callback runs before the dependent
// resumes, so it can seek the dependent back there, and the items handled
// during the downtime are handled again, now with the right data:
//
//	&ckpt.TimeOptions{
//		OnRecovery: func(ctx context.Context, c *ckpt.TimeCheckpoint, d *ckpt.TimeDependency) error {
//			return activityTopic.Seek(ctx, kafka.PerPartition(d.DownState().Offsets()))
//		},
//	}
//
// # Persistence
//
// Without a cache, a checkpoint lasts as long as its process. With one
// ([Options.Cache]), every change is stored, one batch per call, and [New]
// loads it: a restarted process goes on where the last one stopped, with
// the dependent's state and marker, each dependency's checkpoint, and
// whether it is down. A dependency that was down is down still, and the
// dependent starts paused.
//
// # Markers other than event times
//
// A [Checkpoint] has two type parameters: M, the markers, and D, the
// downtimes that CheckPulse reports. [TimeCheckpoint] and [TimeDependency]
// name the default, [time.Time] and [time.Duration]. Other markers, such
// as sequence numbers or offsets, need custom checks, given to
// [NewDependencyFunc]; the default checks report an error wrapping
// [ErrMarkerType] for them, and [New] rejects a dependency that would use
// them. Markers are stored with [Options.MarkerCodec], JSON by default.
//
// # Differences from the original
//
//   - CheckPulse reports downtime while any dependency is down; the original
//     returns the last dependency's check only.
//   - Callbacks run once per transition; the original runs the downtime
//     callback at every late pulse.
//   - The recovery callback runs before the dependent resumes; the original
//     resumes first, so that what the dependent reads before the callback's
//     seek is handled twice.
//   - A dependency's state is a copy of the checkpoint's at its heartbeat;
//     in the original both are one dictionary, so the dependency's moves
//     with every pulse.
//   - Whether a dependency is down, its last downtime and
//     [Dependency.DownState] are stored and loaded too.
//   - A [Dependency] does not take the dependency's stream, which the
//     checkpoint never uses.
//   - Checks and callbacks take a context and return an error; a Checkpoint
//     is safe for use by the goroutines of both handlers at once.
package ckpt
