package window_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" { // a child process of a multi-process test
		os.Exit(runChild(role))
	}
	goleak.VerifyTestMain(m)
}
