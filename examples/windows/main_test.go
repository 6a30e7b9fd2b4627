package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The 📞 at 00:09 counts within the grace period; the 🏆 at 00:04 is late.
func Example() {
	main()
	// Output:
	// window 00:00-00:10: 🏆 2
	// window 00:00-00:10: 📞 2
	// late: 🏆 at 00:04, its window closed
	// window 00:10-00:20: 🐟 2
	// window 00:10-00:20: 👌 1
	// late emoji: 1
}
