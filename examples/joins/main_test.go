package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// u1 clicked home: Ann
	// u1 clicked pay: Ann
	// u2 clicked cart: Bob
	// u3 clicked home: Cy
	// u9 clicked home: (no name)
}
