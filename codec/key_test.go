package codec_test

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/slipstream-go/slipstream/codec"
)

type myInt int16 // a defined type, to check that ~int16 is accepted

func TestIntEncoding(t *testing.T) {
	tests := []struct {
		v    int64
		want string
	}{
		{math.MinInt64, "0000000000000000"},
		{-1, "7fffffffffffffff"},
		{0, "8000000000000000"},
		{1, "8000000000000001"},
		{256, "8000000000000100"},
		{math.MaxInt64, "ffffffffffffffff"},
	}
	c := codec.Int[int64]()
	for _, tt := range tests {
		b, err := c.Encode(tt.v)
		if err != nil || hex.EncodeToString(b) != tt.want {
			t.Errorf("Encode(%d) = %x, %v; want %s", tt.v, b, err, tt.want)
		}
	}
	// Narrower types encode to the same bytes.
	b, _ := codec.Int[int8]().Encode(-1)
	if got := hex.EncodeToString(b); got != "7fffffffffffffff" {
		t.Errorf("Int[int8].Encode(-1) = %s, want 7fffffffffffffff", got)
	}
}

func TestIntRoundTrip(t *testing.T) {
	for _, v := range []int64{math.MinInt64, math.MinInt32 - 1, -1, 0, 1, math.MaxInt32 + 1, math.MaxInt64} {
		if got := roundTrip(t, codec.Int[int64](), v); got != v {
			t.Errorf("int64: round trip of %d = %d", v, got)
		}
	}
	for _, v := range []int8{math.MinInt8, -1, 0, 1, math.MaxInt8} {
		if got := roundTrip(t, codec.Int[int8](), v); got != v {
			t.Errorf("int8: round trip of %d = %d", v, got)
		}
	}
	for _, v := range []myInt{math.MinInt16, 0, math.MaxInt16} {
		if got := roundTrip(t, codec.Int[myInt](), v); got != v {
			t.Errorf("myInt: round trip of %d = %d", v, got)
		}
	}
	for _, v := range []int{math.MinInt, 0, math.MaxInt} {
		if got := roundTrip(t, codec.Int[int](), v); got != v {
			t.Errorf("int: round trip of %d = %d", v, got)
		}
	}
}

func TestUintRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, math.MaxUint32 + 1, math.MaxUint64} {
		if got := roundTrip(t, codec.Uint[uint64](), v); got != v {
			t.Errorf("uint64: round trip of %d = %d", v, got)
		}
	}
	for _, v := range []uint8{0, 1, math.MaxUint8} {
		if got := roundTrip(t, codec.Uint[uint8](), v); got != v {
			t.Errorf("uint8: round trip of %d = %d", v, got)
		}
	}
	b, _ := codec.Uint[uint16]().Encode(0x1234)
	if got := hex.EncodeToString(b); got != "0000000000001234" {
		t.Errorf("Encode(0x1234) = %s, want 0000000000001234", got)
	}
}

func TestIntErrors(t *testing.T) {
	i8, i64, u8 := codec.Int[int8](), codec.Int[int64](), codec.Uint[uint8]()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"short", decodeErr(i64)([]byte{1, 2, 3}), "codec int: want 8 bytes, got 3"},
		{"empty", decodeErr(i64)(nil), "codec int: want 8 bytes, got 0"},
		{"long", decodeErr(i64)(make([]byte, 9)), "codec int: want 8 bytes, got 9"},
		{"int8 high", decodeErr(i8)(mustEncode(t, i64, 128)), "codec int: 128 out of range for int8"},
		{"int8 low", decodeErr(i8)(mustEncode(t, i64, -129)), "codec int: -129 out of range for int8"},
		{"myInt", decodeErr(codec.Int[myInt]())(mustEncode(t, i64, 1<<15)), "codec int: 32768 out of range for codec_test.myInt"},
		{"uint short", decodeErr(u8)([]byte{1}), "codec uint: want 8 bytes, got 1"},
		{"uint8 high", decodeErr(u8)(mustEncode(t, codec.Uint[uint64](), 256)), "codec uint: 256 out of range for uint8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkError(t, tt.err, tt.want) })
	}
}

func mustEncode[T any](t *testing.T, c codec.Codec[T], v T) []byte {
	t.Helper()
	b, err := c.Encode(v)
	if err != nil {
		t.Fatalf("Encode(%v): %v", v, err)
	}
	return b
}

// checkOrder checks that the encodings of a and b compare as a and b do.
func checkOrder[T any](t *testing.T, c codec.Codec[T], a, b T, compare func(T, T) int) {
	t.Helper()
	ea, eb := mustEncode(t, c, a), mustEncode(t, c, b)
	if got, want := bytes.Compare(ea, eb), compare(a, b); got != want {
		t.Errorf("%v vs %v: encodings compare %d, values compare %d (%x, %x)", a, b, got, want, ea, eb)
	}
}

func TestIntOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -256, -1, 0, 1, 255, 256, math.MaxInt64 - 1, math.MaxInt64}
	values := func(next func() int64) []int64 {
		vs := append([]int64(nil), edges...)
		for range 200 {
			vs = append(vs, next())
		}
		return vs
	}
	for _, vs := range [][]int64{
		values(func() int64 { return int64(r.Uint64()) }),
		values(func() int64 { return r.Int64N(2001) - 1000 }),
	} {
		for _, a := range vs {
			checkOrder(t, codec.Int[int64](), a, vs[r.IntN(len(vs))], cmp.Compare)
		}
		for i := 1; i < len(vs); i++ {
			checkOrder(t, codec.Int[int64](), vs[i-1], vs[i], cmp.Compare)
		}
	}
	i8 := []int8{math.MinInt8, -1, 0, 1, math.MaxInt8}
	for _, a := range i8 {
		for _, b := range i8 {
			checkOrder(t, codec.Int[int8](), a, b, cmp.Compare)
		}
	}
}

func TestUintOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vs := []uint64{0, 1, 255, 256, math.MaxUint64 - 1, math.MaxUint64}
	for range 200 {
		vs = append(vs, r.Uint64()>>r.UintN(64))
	}
	for _, a := range vs {
		for _, b := range vs[:20] {
			checkOrder(t, codec.Uint[uint64](), a, b, cmp.Compare)
		}
	}
}

func TestStringKey(t *testing.T) {
	c := codec.StringKey()
	vs := []string{"", "\x00", "\x00\x00", "a", "a\x00", "ab", "b", "日本", "\xff", "\xff\xff", "\xffinvalid"}
	for _, a := range vs {
		if got := roundTrip(t, c, a); got != a {
			t.Errorf("round trip of %q = %q", a, got)
		}
		for _, b := range vs {
			checkOrder(t, c, a, b, strings.Compare)
			ea, eb := mustEncode(t, c, a), mustEncode(t, c, b)
			if strings.HasPrefix(a, b) != bytes.HasPrefix(ea, eb) {
				t.Errorf("HasPrefix(%q, %q) = %t, but not for the encodings", a, b, strings.HasPrefix(a, b))
			}
		}
	}
}

// unixToZero is the number of seconds from January 1 of year 1 to 1970.
const unixToZero = 62135596800

// The earliest and latest times the time package can represent.
var (
	minTime = sinceZero(math.MinInt64, 0)
	maxTime = sinceZero(math.MaxInt64, 999999999)
)

// sinceZero returns the time sec seconds and nsec nanoseconds after January 1
// of year 1 UTC. It can reach every time: time.Unix adds the seconds from year
// 1 to 1970 back, with the same wrapping arithmetic.
func sinceZero(sec, nsec int64) time.Time {
	return time.Unix(sec-unixToZero, nsec)
}

func TestTimeEncoding(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "8000000000000000" + "00000000"},
		{time.Unix(0, 0), "8000000e7791f700" + "00000000"},
		{time.Unix(1, 5).In(time.FixedZone("X", 3600)), "8000000e7791f701" + "00000005"},
		{minTime, "0000000000000000" + "00000000"},
		{maxTime, "ffffffffffffffff" + "3b9ac9ff"},
	}
	c := codec.Time()
	for _, tt := range tests {
		b, err := c.Encode(tt.t)
		if err != nil || hex.EncodeToString(b) != tt.want {
			t.Errorf("Encode(%v) = %x, %v; want %s", tt.t, b, err, tt.want)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	c := codec.Time()
	times := []time.Time{
		{},
		minTime,
		maxTime,
		time.Unix(0, 0),
		time.Unix(-1, 999999999),
		time.Date(1969, 12, 31, 23, 59, 59, 1, time.UTC),
		time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1e9, 6, 1, 12, 0, 0, 42, time.UTC),
		time.Date(2024, 2, 29, 12, 30, 0, 123456789, time.FixedZone("EST", -5*3600)),
		time.Now(), // has a monotonic reading
	}
	for _, v := range times {
		got := roundTrip(t, c, v)
		if !got.Equal(v) {
			t.Errorf("round trip of %v = %v", v, got)
		}
		if got.Location() != time.UTC {
			t.Errorf("round trip of %v in %v, want UTC", v, got.Location())
		}
		if want := v.UTC().Round(0); got != want {
			t.Errorf("round trip of %v = %#v, want %#v", v, got, want)
		}
	}
}

func TestTimeErrors(t *testing.T) {
	c := codec.Time()
	checkError(t, decodeErr(c)(make([]byte, 8)), "codec time: want 12 bytes, got 8")
	checkError(t, decodeErr(c)(nil), "codec time: want 12 bytes, got 0")
	b := mustEncode(t, c, time.Unix(0, 0))
	b[8], b[9], b[10], b[11] = 0x3b, 0x9a, 0xca, 0x00 // 1e9
	checkError(t, decodeErr(c)(b), "codec time: want nanoseconds below 1e9, got 1000000000")
}

func TestTimeOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ts := []time.Time{
		minTime, minTime.Add(1), {}, time.Unix(-1, 0), time.Unix(-1, 999999999),
		time.Unix(0, 0), time.Unix(0, 1), base, base.Add(1),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), maxTime.Add(-1), maxTime,
	}
	for range 200 {
		// Times anywhere in the representable range, and times near base.
		ts = append(ts, time.Unix(int64(r.Uint64()), r.Int64N(1e9)))
		ts = append(ts, base.Add(time.Duration(r.Int64N(2e9)-1e9)))
	}
	compare := func(a, b time.Time) int { return a.Compare(b) }
	for _, a := range ts {
		checkOrder(t, codec.Time(), a, ts[r.IntN(len(ts))], compare)
	}
	for i := 1; i < len(ts); i++ {
		checkOrder(t, codec.Time(), ts[i-1], ts[i], compare)
	}
}
