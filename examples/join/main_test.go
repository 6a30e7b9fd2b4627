package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func Example() {
	main()
	// Output:
	// The weather during swimming was 🌞
	// The weather during walking home was ⛅
	// The weather during shopping was 🌦️
	// The weather during lunch was 🌧
}
