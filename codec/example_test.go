package codec_test

import (
	"bytes"
	"fmt"
	"log"
	"net/netip"
	"slices"
	"time"

	"github.com/slipstream-go/slipstream/codec"
)

func ExampleJSON() {
	type Order struct {
		ID    int      `json:"id"`
		Items []string `json:"items"`
	}
	c := codec.JSON[Order]()

	b, err := c.Encode(Order{ID: 7, Items: []string{"tea", "scone"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", b)

	o, err := c.Decode([]byte(`{"id": 8, "items": ["jam"]}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", o)

	_, err = c.Decode([]byte(`{"id": "eight"}`))
	fmt.Println(err != nil)
	// Output:
	// {"id":7,"items":["tea","scone"]}
	// {ID:8 Items:[jam]}
	// true
}

func ExampleAvro() {
	type Reading struct {
		Sensor string  `avro:"sensor"`
		Value  float64 `avro:"value"`
	}
	c, err := codec.Avro[Reading](`{
		"type": "record",
		"name": "Reading",
		"fields": [
			{"name": "sensor", "type": "string"},
			{"name": "value", "type": "double"}
		]
	}`)
	if err != nil {
		log.Fatal(err)
	}

	b, err := c.Encode(Reading{Sensor: "t1", Value: 21.5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("% x\n", b)

	r, err := c.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", r)

	_, err = c.Decode(b[:5])
	fmt.Println(err)
	// Output:
	// 04 74 31 00 00 00 00 00 80 35 40
	// {Sensor:t1 Value:21.5}
	// codec avro: unexpected EOF
}

func ExampleInt() {
	c := codec.Int[int32]()
	values := []int32{300, -1, 0, -300, 1}

	var keys [][]byte
	for _, v := range values {
		b, err := c.Encode(v)
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, b)
	}

	// Sorting the encodings as bytes sorts the values as numbers.
	slices.SortFunc(keys, bytes.Compare)
	for _, k := range keys {
		v, err := c.Decode(k)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("% x  %4d\n", k, v)
	}
	// Output:
	// 7f ff ff ff ff ff fe d4  -300
	// 7f ff ff ff ff ff ff ff    -1
	// 80 00 00 00 00 00 00 00     0
	// 80 00 00 00 00 00 00 01     1
	// 80 00 00 00 00 00 01 2c   300
}

func ExampleTime() {
	c := codec.Time()
	moon := time.Date(1969, 7, 20, 20, 17, 40, 0, time.UTC)
	b, err := c.Encode(moon.In(time.FixedZone("EDT", -4*3600)))
	if err != nil {
		log.Fatal(err)
	}
	t, err := c.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t)
	// Output:
	// 1969-07-20 20:17:40 +0000 UTC
}

func ExampleStringKey() {
	c := codec.StringKey()
	prefix, _ := c.Encode("user/")
	for _, s := range []string{"user/ada", "users", "user/"} {
		k, _ := c.Encode(s)
		fmt.Println(s, bytes.HasPrefix(k, prefix))
	}
	// Output:
	// user/ada true
	// users false
	// user/ true
}

func ExamplePairKey() {
	// Two events at one instant: keyed by time alone, the second would
	// replace the first. Keyed by time and ID, both stay, in time order.
	c := codec.PairKey(codec.Time(), codec.StringKey())
	noon := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var keys [][]byte
	for _, p := range []codec.Pair[time.Time, string]{
		codec.NewPair(noon.Add(time.Second), "a"),
		codec.NewPair(noon, "login-7"),
		codec.NewPair(noon, "login-12"),
	} {
		k, err := c.Encode(p)
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, bytes.Compare) // as an ordered store keeps them
	for _, k := range keys {
		p, err := c.Decode(k)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.First.Format(time.TimeOnly), p.Second)
	}
	// Output:
	// 12:00:00 login-12
	// 12:00:00 login-7
	// 12:00:01 a
}

// addrCodec is the codec from the package documentation.
type addrCodec struct{}

func (addrCodec) Name() string { return "addr" }

func (addrCodec) Encode(a netip.Addr) ([]byte, error) {
	return a.MarshalBinary()
}

func (addrCodec) Decode(b []byte) (netip.Addr, error) {
	var a netip.Addr
	if err := a.UnmarshalBinary(b); err != nil {
		return netip.Addr{}, fmt.Errorf("codec addr: %w", err)
	}
	return a, nil
}

// A codec is any type with Encode and Decode methods.
func Example_custom() {
	var c codec.Codec[netip.Addr] = addrCodec{}
	b, err := c.Encode(netip.MustParseAddr("192.0.2.1"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: % x\n", codec.Name(c), b)

	a, err := c.Decode(b)
	fmt.Println(a, err)

	_, err = c.Decode([]byte{1, 2, 3})
	fmt.Println(err)
	// Output:
	// addr: c0 00 02 01
	// 192.0.2.1 <nil>
	// codec addr: unexpected slice size
}
