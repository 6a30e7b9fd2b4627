package main

import (
	"os"
	"strings"
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
)

func TestMain(m *testing.M) {
	kafkabench.ServeBrokerIfChild()
	code := m.Run()
	kafkabench.Cleanup()
	os.Exit(code)
}

func TestRunRejectsAnUnknownComparison(t *testing.T) {
	var out strings.Builder
	err := run(&out, 1, "Fetch", "", "")
	if err == nil || !strings.Contains(err.Error(), `"Fetch"`) {
		t.Fatalf("run(-only Fetch) = %v, want an error naming it", err)
	}
}

// TestRunPrintsATableRow measures one pair of Produce runs of 50,000
// messages each (about a second) and checks the table's rows.
func TestRunPrintsATableRow(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	var out strings.Builder
	if err := run(&out, 1, "Produce", "", ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| Produce | slipstream |", "| Produce | confluent |", "×"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
