package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// ad1: banner at 12:00:00, clicked at 12:00:08
	// ad1: sidebar at 12:00:30, clicked at 12:00:33
	// ad3: banner at 12:00:20, clicked at 12:00:14
	// 3 pairs, 0 late
}
