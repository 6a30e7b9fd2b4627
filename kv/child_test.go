package kv

import "fmt"

// childEnv names the environment variable that makes the test binary run
// as a child process of a test; its value says which.
const childEnv = "KV_TEST_CHILD"

// runChild runs the child process called name and returns its exit code.
func runChild(name string) int {
	switch name {
	default:
		fmt.Printf("unknown child %q\n", name)
		return 2
	}
}
