package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// weather 10:00 🌞
	// activity 10:30 swimming: 🌞
	// weather 11:00 ⛅
	// activity 11:30 walking home: ⛅
	// activity 12:30 shopping: ⛅
	//     Downtime detected: 1h30m0s; pausing the activities
	// weather 12:00 🌦️
	//     still behind the activities, at 12:30
	// weather 13:00 🌧
	// The weather caught up at 13:00: seeking the activities back to map[0:2]
	// activity 12:30 shopping: 🌦️
	// activity 13:10 lunch: 🌧
}
