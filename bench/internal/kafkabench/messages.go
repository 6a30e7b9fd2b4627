package kafkabench

import (
	"fmt"

	"github.com/slipstream-go/slipstream/kafka"
)

const (
	// ValueSize is the size of every message value, in bytes.
	ValueSize = 100
	// Partitions is the number of partitions of every topic.
	Partitions = 4
)

// values are the values that messages cycle through.
var values = makeValues()

// makeValues returns the values that messages cycle through.
func makeValues() [][]byte {
	vs := make([][]byte, 256)
	for i := range vs {
		v := fmt.Appendf(make([]byte, 0, ValueSize), "message %d: ", i)
		for len(v) < ValueSize {
			v = append(v, '.')
		}
		vs[i] = v
	}
	return vs
}

// Message returns message i of a run: no key, ValueSize bytes of value.
func Message(i int) kafka.Message[string, []byte] {
	return kafka.Message[string, []byte]{Value: values[i%len(values)]}
}

// Messages returns messages 0 to n-1.
func Messages(n int) []kafka.Message[string, []byte] {
	msgs := make([]kafka.Message[string, []byte], n)
	for i := range msgs {
		msgs[i] = Message(i)
	}
	return msgs
}
