package codec_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/codec"
)

type order struct {
	ID    int64             `json:"id"`
	Items []string          `json:"items"`
	Price float64           `json:"price"`
	Note  *string           `json:"note,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

func TestJSONRoundTrip(t *testing.T) {
	note := "gift"
	orders := []order{
		{},
		{ID: 1, Items: []string{"a", "b"}, Price: 9.99},
		{ID: -7, Items: []string{}, Note: &note, Attrs: map[string]string{"k": "v"}},
		{ID: 1 << 53, Items: []string{"日本語", "\x00"}, Price: -0.5},
	}
	c := codec.JSON[order]()
	for _, v := range orders {
		if got := roundTrip(t, c, v); !reflect.DeepEqual(got, v) {
			t.Errorf("round trip of %+v = %+v", v, got)
		}
	}

	m := map[string]any{"a": 1.5, "b": []any{"x", true, nil}, "c": map[string]any{}}
	if got := roundTrip(t, codec.JSON[map[string]any](), m); !reflect.DeepEqual(got, m) {
		t.Errorf("round trip of %v = %v", m, got)
	}
}

func TestJSONEncoding(t *testing.T) {
	b, err := codec.JSON[order]().Encode(order{ID: 3, Items: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":3,"items":["x"],"price":0}`; string(b) != want {
		t.Errorf("Encode = %s, want %s", b, want)
	}
}

func TestJSONErrors(t *testing.T) {
	// The text after the prefix comes from encoding/json and may change.
	c := codec.JSON[order]()
	for _, in := range []string{``, `{"id":1`, `{"id":1} x`, `{"id":"one"}`, `[1]`, `nul`} {
		v, err := c.Decode([]byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), "codec json: ") {
			t.Errorf("Decode(%q) error = %v, want codec json error", in, err)
		}
		if !reflect.DeepEqual(v, order{}) {
			t.Errorf("Decode(%q) = %+v with error, want zero value", in, v)
		}
	}

	_, err := codec.JSON[func()]().Encode(func() {})
	if err == nil || !strings.HasPrefix(err.Error(), "codec json: ") {
		t.Errorf("Encode(func) error = %v, want codec json error", err)
	}
}
