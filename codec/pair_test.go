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

// comparePairs orders pairs by their first parts, then by their second.
func comparePairs[A, B any](ca func(A, A) int, cb func(B, B) int) func(p, q codec.Pair[A, B]) int {
	return func(p, q codec.Pair[A, B]) int {
		if c := ca(p.First, q.First); c != 0 {
			return c
		}
		return cb(p.Second, q.Second)
	}
}

func TestPairKeyEncoding(t *testing.T) {
	c := codec.PairKey(codec.StringKey(), codec.StringKey())
	tests := []struct {
		first, second string
		want          string
	}{
		{"", "", "0001"},
		{"a", "b", "61000162"},
		{"a\x00b", "\x00", "6100ff62000100"},
		{"\x00", "", "00ff0001"},
	}
	for _, tt := range tests {
		b := mustEncode(t, c, codec.NewPair(tt.first, tt.second))
		if got := hex.EncodeToString(b); got != tt.want {
			t.Errorf("Encode(%q, %q) = %s, want %s", tt.first, tt.second, got, tt.want)
		}
	}
}

func TestPairKeyRoundTrip(t *testing.T) {
	strs := codec.PairKey(codec.StringKey(), codec.StringKey())
	for _, p := range []codec.Pair[string, string]{
		{"", ""}, {"a", "b"}, {"\x00", "\x00"}, {"\x00\x01", "x"}, {"\x00\xff\x00", ""}, {"日本", "\xff"},
	} {
		if got := roundTrip(t, strs, p); got != p {
			t.Errorf("round trip of %q = %q", p, got)
		}
	}
	events := codec.PairKey(codec.Time(), codec.Int[int]())
	p := codec.NewPair(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), math.MinInt)
	if got := roundTrip(t, events, p); !got.First.Equal(p.First) || got.Second != p.Second {
		t.Errorf("round trip of %v = %v", p, got)
	}
	nested := codec.PairKey(codec.PairKey(codec.StringKey(), codec.Int[int]()), codec.StringKey())
	n := codec.NewPair(codec.NewPair("a\x00", 0), "z")
	if got := roundTrip(t, nested, n); got != n {
		t.Errorf("round trip of %v = %v", n, got)
	}
	if got, want := codec.NewPair("a", 1).String(), "(a, 1)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got := codec.Name(strs); got != "pair" {
		t.Errorf("Name = %q", got)
	}
}

func TestPairKeyErrors(t *testing.T) {
	strs := codec.PairKey(codec.StringKey(), codec.StringKey())
	ints := codec.PairKey(codec.Int[int8](), codec.Int[int]())
	decode := func(c codec.Codec[codec.Pair[string, string]], s string) error {
		_, err := c.Decode([]byte(s))
		return err
	}
	decodeInts := func(s string) error {
		_, err := ints.Decode([]byte(s))
		return err
	}
	_, encErr := codec.PairKey(codec.StringKey(), codec.String()).Encode(codec.NewPair("k", "\xff"))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"empty", decode(strs, ""), "codec pair: no end to the first part (0x00 0x01) in 0 bytes"},
		{"no end", decode(strs, "abc"), "codec pair: no end to the first part (0x00 0x01) in 3 bytes"},
		{"0x00 last", decode(strs, "ab\x00"), "codec pair: no end to the first part (0x00 0x01) in 3 bytes"},
		{"bad escape", decode(strs, "ab\x00\x02cd"), "codec pair: byte 0x02 after 0x00 at byte 3: want 0x01 (end) or 0xff (escaped 0x00)"},
		{"first part", decodeInts("\x80\x00\x01"), "codec pair: first part: codec int: want 8 bytes, got 1"},
		{"second part", decodeInts("\x80\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x05\x00\x01\x01"), "codec pair: second part: codec int: want 8 bytes, got 1"},
		{"out of range", decodeInts("\x80\x00\xff\x00\xff\x00\xff\x00\xff\x00\xff\x01\x00\xff\x00\x01"), "codec pair: first part: codec int: 256 out of range for int8"},
		{"encode", encErr, "codec pair: second part: codec string: invalid UTF-8 at byte 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkError(t, tt.err, tt.want) })
	}
}

// randBytes returns a short string of bytes that an escaping scheme must
// get right: 0x00, its escape partners 0x01 and 0xff, and a letter.
func randBytes(r *rand.Rand) string {
	const alphabet = "\x00\x01\xffa"
	var b strings.Builder
	for range r.IntN(5) {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestPairKeyOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	strs := codec.PairKey(codec.StringKey(), codec.StringKey())
	byStrings := comparePairs(strings.Compare, strings.Compare)
	for range 5000 {
		p := codec.NewPair(randBytes(r), randBytes(r))
		q := codec.NewPair(randBytes(r), randBytes(r))
		if r.IntN(4) == 0 {
			q.First = p.First // equal firsts: the seconds decide
		}
		if r.IntN(4) == 0 {
			q.First = p.First + randBytes(r) // a first that extends the other
		}
		checkOrder(t, strs, p, q, byStrings)
	}

	events := codec.PairKey(codec.Time(), codec.StringKey())
	byEvent := comparePairs(time.Time.Compare, strings.Compare)
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for range 2000 {
		p := codec.NewPair(base.Add(time.Duration(r.IntN(5)-2)), randBytes(r))
		q := codec.NewPair(base.Add(time.Duration(r.IntN(5)-2)), randBytes(r))
		checkOrder(t, events, p, q, byEvent)
	}

	ints := codec.PairKey(codec.Int[int64](), codec.Uint[uint8]())
	byInts := comparePairs(cmp.Compare[int64], cmp.Compare[uint8])
	edges := []int64{math.MinInt64, -256, -1, 0, 1, 255, 256, math.MaxInt64}
	for _, a := range edges {
		for _, b := range edges {
			checkOrder(t, ints, codec.NewPair(a, uint8(b)), codec.NewPair(b, uint8(a)), byInts)
			checkOrder(t, ints, codec.NewPair(a, uint8(a)), codec.NewPair(a, uint8(b)), byInts)
		}
	}

	nested := codec.PairKey(codec.PairKey(codec.StringKey(), codec.StringKey()), codec.StringKey())
	byNested := comparePairs(byStrings, strings.Compare)
	for range 2000 {
		p := codec.NewPair(codec.NewPair(randBytes(r), randBytes(r)), randBytes(r))
		q := codec.NewPair(codec.NewPair(randBytes(r), randBytes(r)), randBytes(r))
		checkOrder(t, nested, p, q, byNested)
	}
}

func FuzzPairKeyOrder(f *testing.F) {
	f.Add("ab", "x", "abc", "")
	f.Add("a\x00", "", "a", "\xff")
	f.Add("\x00\x01", "b", "\x00", "a")
	f.Add("", "", "", "")
	strs := codec.PairKey(codec.StringKey(), codec.StringKey())
	byStrings := comparePairs(strings.Compare, strings.Compare)
	f.Fuzz(func(t *testing.T, a1, b1, a2, b2 string) {
		p, q := codec.NewPair(a1, b1), codec.NewPair(a2, b2)
		checkOrder(t, strs, p, q, byStrings)
		checkOrder(t, strs, p, codec.NewPair(a1, b2), byStrings)
		// The pairs with one first part share the prefix of its encoding.
		ep, eq := mustEncode(t, strs, p), mustEncode(t, strs, codec.NewPair(a1, ""))
		if !bytes.HasPrefix(ep, eq) {
			t.Fatalf("%q does not start with the encoding of (%q, \"\"), %q", ep, a1, eq)
		}
	})
}

func FuzzDecodePair(f *testing.F) {
	for _, s := range []string{"", "\x00\x01", "a\x00\x01b", "\x00\xff\x00\x01\x00", "\x00\x02", "a\x00"} {
		f.Add([]byte(s))
	}
	strs := codec.PairKey(codec.StringKey(), codec.StringKey())
	ints := codec.PairKey(codec.Int[int](), codec.Time())
	f.Fuzz(func(t *testing.T, b []byte) {
		// The encoding of string pairs is one to one: every input Decode
		// accepts is the encoding of the pair it returns.
		if _, err := strs.Decode(b); err == nil {
			checkExact(t, strs, b)
		}
		if _, err := ints.Decode(b); err == nil {
			checkExact(t, ints, b)
		}
	})
}
