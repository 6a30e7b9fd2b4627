package kv

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the child processes of the crash and lock tests when the
// test binary is started as one, and checks for leaked goroutines
// otherwise.
func TestMain(m *testing.M) {
	if child := os.Getenv(childEnv); child != "" {
		os.Exit(runChild(child))
	}
	goleak.VerifyTestMain(m)
}
