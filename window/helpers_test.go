package window_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
	"github.com/slipstream-go/slipstream/kv"
	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/window"
)

// A rec is a test record: a key at a time, in milliseconds after epoch0.
type rec struct {
	Key string
	At  float64
}

var epoch0 = time.Date(2024, time.June, 1, 0, 0, 0, 0, time.UTC)

func ms(at float64) time.Time { return epoch0.Add(time.Duration(math.Round(at * 1e6))) }

func since(t time.Time) float64 { return float64(t.Sub(epoch0)) / float64(time.Millisecond) }

var recs = window.Input[rec, string]{
	Key:  func(r rec) string { return r.Key },
	Keys: codec.StringKey(),
	Time: func(r rec) time.Time { return ms(r.At) },
}

// counting counts the records of a window.
var counting = window.Count[rec]()

// newOp returns an operator counting recs in w, in st, sending late
// records to late (if not nil).
func newOp(t *testing.T, w window.Windows, st window.State, emit window.Emit, late stream.Sink[rec]) *window.Operator[rec, string, int64] {
	t.Helper()
	op, err := window.New(w, recs, counting, st, &window.Options[rec]{Emit: emit, Late: late})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// memory returns window state in memory.
func memory() window.State { return window.InCache(kv.NewMemory(codec.Bytes(), codec.Bytes())) }

// runOp runs op over rs and returns its results, formatted by show.
func runOp(t *testing.T, op *window.Operator[rec, string, int64], rs ...rec) []string {
	t.Helper()
	results := sink.Collect[window.Result[string, int64]]()
	app := stream.NewApp()
	window.Handle(app, source.Values(rs...), op, results)
	if err := app.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range results.Items() {
		out = append(out, show(r))
	}
	return out
}

// show formats a result as "key [start,end]=n", times in milliseconds,
// with " final" for a final result.
func show(r window.Result[string, int64]) string {
	s := fmt.Sprintf("%s [%g,%g]=%d", r.Key, since(r.Start), since(r.End), r.Value)
	if r.Final {
		s += " final"
	}
	return s
}

func expect(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, strings.Join(got, "; "), strings.Join(want, "; "))
	}
}
