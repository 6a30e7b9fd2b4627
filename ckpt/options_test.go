package ckpt_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/ckpt"
	"github.com/slipstream-go/slipstream/codec"
)

// TestOptionTypesMeetAtCompileTime: Options has the checkpoint's types, so
// a callback or marker codec of other types is a compile error, not an
// error from New. Each of these fails to compile (go 1.26's messages):
//
//	wrong := func(context.Context, *ckpt.Checkpoint[int, int], *ckpt.Dependency[int, int]) error { return nil }
//
//	ckpt.New("test", nil, []*ckpt.TimeDependency{d}, &ckpt.TimeOptions{OnRecovery: wrong})
//	// cannot use wrong (variable of type func(context.Context, *ckpt.Checkpoint[int, int], *ckpt.Dependency[int, int]) error)
//	// as ckpt.Callback["time".Time, "time".Duration] value in struct literal
//
//	ckpt.New("test", nil, []*ckpt.TimeDependency{d}, &ckpt.Options[int, int]{OnRecovery: wrong})
//	// in call to ckpt.New, type *ckpt.Options[int, int] of &ckpt.Options[int, int]{…} does not match
//	// inferred type *ckpt.Options["time".Time, "time".Duration] for *ckpt.Options[M, D]
//
//	ckpt.New("test", nil, []*ckpt.TimeDependency{d}, &ckpt.TimeOptions{MarkerCodec: intCodec{}})
//	// cannot use intCodec{} (value of struct type intCodec) as codec.Codec["time".Time] value in struct literal:
//	// intCodec does not implement codec.Codec["time".Time] (wrong type for method Decode)
//
// With the untyped options these replaced, OnRecovery(wrong) and
// WithMarkerCodec(intCodec{}) compiled, and New failed at run time. What
// the compiler checks, the test checks too, with reflect, so that a change
// back to untyped options fails here.
func TestOptionTypesMeetAtCompileTime(t *testing.T) {
	wrong := reflect.TypeFor[func(context.Context, *ckpt.Checkpoint[int, int], *ckpt.Dependency[int, int]) error]()
	right := reflect.TypeFor[func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) error]()
	opts := reflect.TypeFor[ckpt.TimeOptions]()
	for _, name := range []string{"OnDowntime", "OnRecovery"} {
		f, ok := opts.FieldByName(name)
		if !ok {
			t.Fatalf("TimeOptions has no field %s", name)
		}
		if wrong.AssignableTo(f.Type) {
			t.Errorf("TimeOptions.%s takes a callback on int markers", name)
		}
		if !right.AssignableTo(f.Type) {
			t.Errorf("TimeOptions.%s does not take a callback on a TimeCheckpoint", name)
		}
	}
	f, _ := opts.FieldByName("MarkerCodec")
	if reflect.TypeFor[intCodec]().AssignableTo(f.Type) || !reflect.TypeFor[codec.Codec[time.Time]]().AssignableTo(f.Type) {
		t.Errorf("TimeOptions.MarkerCodec is a %v", f.Type)
	}

	// What compiles works: a TimeCheckpoint's callbacks and codec.
	calls := 0
	count := func(context.Context, *ckpt.TimeCheckpoint, *ckpt.TimeDependency) error { calls++; return nil }
	c, g := newTime(t, &ckpt.TimeOptions{OnDowntime: count, OnRecovery: count, MarkerCodec: codec.JSON[time.Time]()})
	pulse(t, c, at(10, 0), nil)
	pulse(t, c, at(11, 0), nil)
	beat(t, c, at(11, 1))
	if calls != 2 || g.Paused() {
		t.Errorf("%d callbacks, paused %v; want 2, false", calls, g.Paused())
	}
}

type intCodec struct{}

func (intCodec) Encode(int) ([]byte, error) { return nil, nil }
func (intCodec) Decode([]byte) (int, error) { return 0, nil }

func TestWithoutPausing(t *testing.T) {
	c, g := newTime(t, &ckpt.TimeOptions{NoPause: true})
	pulse(t, c, at(10, 0), nil)
	if _, down := pulse(t, c, at(11, 0), nil); !down || !c.Down() {
		t.Error("no downtime reported")
	}
	beat(t, c, at(11, 1))
	if g.pauses != 0 || g.resumes != 0 {
		t.Errorf("paused %d and resumed %d times", g.pauses, g.resumes)
	}
	// A nil dependent is fine too.
	c2, err := ckpt.New("nil", nil, []*ckpt.TimeDependency{ckpt.NewDependency("d")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pulse(t, c2, at(10, 0), nil)
	if _, down := pulse(t, c2, at(11, 0), nil); !down {
		t.Error("no downtime reported without a dependent")
	}
}
