// Package ckpt pauses a stream while the streams it depends on are down or
// behind, and lets it handle again what it handled with stale data:
// slipstream's Checkpoint and Dependency.
//
// # The problem
//
// An activity stream is enriched with the latest weather, from a weather
// stream (a temporal join, see the join example). If the weather stream
// stops, or falls behind, activities go on being enriched with stale
// weather. A [Checkpoint] notices, pauses the activities until the weather
// has caught up, and can then send them back to where the weather went
// stale.
//
// # Concepts
//
// The dependent is the stream that must not outrun the others (the
// activities). Its handler calls [Checkpoint.CheckPulse] with each item it
// handles: a pulse. The checkpoint pauses and resumes it (see [Pausable]).
//
// A dependency is a stream the dependent needs up to date (the weather): a
// [Dependency]. Each item it handles is reported to [Checkpoint.Heartbeat]
// once its output is stored, by a [HeartbeatSink]: a heartbeat. A
// checkpoint has one dependent and one or more dependencies.
//
// A marker says how far a stream has got: the event time of its latest
// item, by default. Each pulse sets the dependent's marker
// ([Checkpoint.Marker]), each heartbeat its dependency's
// ([Dependency.Marker]). A dependency that has had no heartbeat yet takes
// the dependent's marker at the first pulse, so one that never sends
// anything is found down once the dependent has moved on.
//
// A downtime is how far a dependency is behind the dependent. At each
// pulse, each dependency's [DowntimeCheck] measures it; a dependency is down
// from the pulse whose check reports one. By default that is when the
// dependent's marker is more than the dependency's threshold ahead of the
// dependency's, strictly: ten minutes unless [WithThreshold] sets another.
//
// Recovery is a dependency that is down catching up again. At each of its
// heartbeats while it is down, its [RecoveryCheck] runs: by default, it has
// recovered once its marker is later than the dependent's. A dependency
// that comes back with a backlog therefore stays down, and the dependent
// paused, until it has worked through the backlog to where the dependent
// is. [Latency], which Heartbeat returns, says whether it is still late, to
// treat its late items differently.
//
// The dependent's [State] is where it is (its offsets), given with each
// pulse, so that it can be sent back there: see Reprocessing.
//
// # Wiring
//
// The dependency's handler makes what the dependent reads, here the
// weather by time, and a [HeartbeatSink] stores it and then heartbeats.
// The order matters: a heartbeat can end a downtime and resume the
// dependent, which must then find the weather that caught up. A heartbeat
// from the handler would come before its sinks store anything, and the
// resumed activities would be enriched with the weather before it.
//
//	activity := stream.From(activityTopic) // the very stream to pause
//	weather := ckpt.NewDependency("weather")
//	c, err := ckpt.New("activity", activity, []*ckpt.TimeDependency{weather}, nil)
//	...
//	stream.Handle(app, weatherTopic, stream.Func(func(m kafka.Message[string, Weather]) kv.Entry[time.Time, Weather] {
//		return kv.NewEntry(m.Value.Time, m.Value)
//	}), ckpt.NewHeartbeatSink(c, weatherByTime, func(e kv.Entry[time.Time, Weather]) time.Time { return e.Key }))
//	stream.Handle(app, activity, stream.FuncErr(func(ctx context.Context, m kafka.Message[string, Activity]) (string, error) {
//		downtime, down, err := c.CheckPulse(ctx, m.Value.Time, ckpt.PartitionOffset(m.Partition, m.Offset))
//		if down {
//			log.Printf("weather is %v behind", downtime)
//		}
//		return enrich(m.Value), err
//	}), out)
//
// A dependency whose handler stores nothing that the dependent reads can
// call [Checkpoint.Heartbeat] from the handler instead.
//
// # Pausing and callbacks
//
// When a dependency goes down, the checkpoint pauses the dependent (unless
// [Options.NoPause]) and runs [Options.OnDowntime]. Pausing a stream pauses
// its sources: a Kafka topic pauses its partitions and keeps polling, so
// the consumer stays in its group however long the downtime. Items already
// past the source when the pause starts are still handled, and still
// pulse. Once no dependency is down, [Options.OnRecovery] runs, and then
// the dependent resumes.
//
// Callbacks run once per transition: a downtime callback each time a
// dependency goes down, a recovery callback each time the last one down
// recovers. They run one at a time, in the order of the transitions (see
// [Callback]).
//
// # Reprocessing
//
// Each dependency keeps the dependent's State at the pulse that found it
// down ([Dependency.DownState]): the position of the first item handled
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
// loads it: a restarted process goes on where the last one stopped. A
// dependency that was down is down still, and the dependent starts paused.
// The cache must keep every key, as one opened with kv's default options
// does; a [kv.FIFO] window would drop a quiet dependency's state.
//
// # Markers other than event times
//
// A [Checkpoint] has two type parameters: M, the markers, and D, the
// downtimes. [TimeCheckpoint], [TimeDependency] and [TimeOptions] name the
// default, [time.Time] and [time.Duration]. Other markers, such as sequence
// numbers or offsets, need custom checks, given to [NewDependencyFunc]; the
// default checks report an error wrapping [ErrMarkerType] for them, and
// [New] rejects a dependency that would use them. Markers are stored with
// [Options.MarkerCodec], JSON by default.
//
// # Differences from the original
//
// Behaviour:
//
//   - CheckPulse reports downtime while any dependency is down, the
//     downtime of the first one down; the original returns the last
//     dependency's check only, so it can report nothing while another is
//     down.
//   - Callbacks run once per transition; the original runs the downtime
//     callback at every late pulse.
//   - The recovery callback runs before the dependent resumes; the original
//     resumes first, so that what the dependent reads before the callback's
//     seek is handled twice.
//   - A dependency's state is a copy of the checkpoint's at its heartbeat;
//     in the original both are one dictionary, so the dependency's moves
//     with every pulse.
//   - [Dependency.DownState], the last downtime and whether a dependency is
//     down are additions, and are stored and loaded too, under keys of
//     their own (see [Options.KeyPrefix]).
//   - A [Dependency] does not take the dependency's stream, which the
//     checkpoint never uses: the heartbeats are all it needs.
//   - The original's dependency handler heartbeats before it yields its
//     output to the cache; a [HeartbeatSink] heartbeats once the output is
//     stored, so that the dependent, resumed by it, reads that output.
//   - Checks and callbacks take a context and return an error; a Checkpoint
//     is safe for use by the goroutines of both handlers at once.
//
// Names: the original's state_marker is [Checkpoint.Marker];
// checkpoint_state, checkpoint_marker and is_down are [Dependency.State],
// [Dependency.Marker] and [Dependency.Down]; checkpoint[name] is
// [Checkpoint.Dependency]; downtime_threshold is [WithThreshold];
// pause_dependent=False is [Options.NoPause]; cache_key_prefix is
// [Options.KeyPrefix]; heartbeat's {is_late, dependent_marker,
// dependency_marker} is [Latency]; the state given to check_pulse as
// keyword arguments, {str(partition): offset}, is a [State], with the same
// string keys and the same JSON in the cache. The defaults (a threshold of
// ten minutes, the key prefix "_") and the original's four cache keys are
// the same, and String describes a Checkpoint or Dependency as its repr
// does.
package ckpt
