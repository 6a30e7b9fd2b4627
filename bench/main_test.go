package bench

import (
	"os"
	"testing"

	"github.com/slipstream-go/slipstream/bench/internal/kafkabench"
	"github.com/slipstream-go/slipstream/bench/internal/kvbench"
)

// TestMain removes what the benchmarks made for the whole process: the
// Cache's pre-filled database and the Kafka broker.
func TestMain(m *testing.M) {
	kafkabench.ServeBrokerIfChild()
	code := m.Run()
	kvbench.Cleanup()
	kafkabench.Cleanup()
	os.Exit(code)
}
