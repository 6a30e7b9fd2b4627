package window

import (
	"fmt"
	"time"
)

// A Result is the aggregate of one window of one key: what the operator
// sends to its sinks. Start and End are as the window kind defines them
// (see [Tumbling], [Hopping], [Sliding], [Session]).
type Result[K, A any] struct {
	Key   K
	Start time.Time
	End   time.Time
	Value A
	// Final is set on the result sent when the window closes, in
	// [EmitFinal] mode: no other result of the window follows.
	Final bool
}

// String formats r as "key [start, end): value" in UTC, with the end
// bracket of the window kind left to the reader's knowledge of it.
func (r Result[K, A]) String() string {
	return fmt.Sprintf("%v [%s, %s]: %v", r.Key, r.Start.UTC().Format(time.RFC3339Nano), r.End.UTC().Format(time.RFC3339Nano), r.Value)
}
