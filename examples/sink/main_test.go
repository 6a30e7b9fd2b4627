package main

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The greeting for 🐟 reached the file, the first sink, and failed at the
// endpoint, the second: the app stopped there, before 👌.
func Example() {
	err := run(context.Background(), os.Stdout)
	fmt.Println("error:", err)
	// Output:
	// greetings.txt:
	// Hello 🏆!
	// Hello 📞!
	// Hello 🐟!
	// error: handler greet: sink server: POST "Hello 🐟!": 422 Unprocessable Entity: no fish, please
}
