package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// pairwise:
	// 3 → 1
	// 1 → 4
	// 4 → 1
	// 1 → 5
	// running totals:
	// total 3
	// total 4
	// total 8
	// total 9
	// total 14
}
