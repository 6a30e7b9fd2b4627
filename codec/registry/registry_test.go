package registry_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"
	"go.uber.org/goleak"

	"github.com/slipstream-go/slipstream/codec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testRegistry is franz-go's in-memory registry, with a count of the
// requests it served.
type testRegistry struct {
	*srfake.Registry
	mu       sync.Mutex
	requests map[string]int // by "METHOD path"
	down     bool           // answer every request with 503
}

// newRegistry starts a registry for the test, and returns it with a client
// of its own, whose connections are closed when the test ends.
func newRegistry(t testing.TB) (*testRegistry, *sr.Client) {
	t.Helper()
	r := &testRegistry{Registry: srfake.New(), requests: make(map[string]int)}
	r.Intercept(func(w http.ResponseWriter, req *http.Request) bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.requests[req.Method+" "+req.URL.Path]++
		if r.down {
			http.Error(w, "down for the test", http.StatusServiceUnavailable)
		}
		return r.down
	})
	tr := &http.Transport{}
	client, err := sr.NewClient(sr.URLs(r.URL()), sr.HTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		r.Close()
	})
	return r, client
}

func (r *testRegistry) count(req string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[req]
}

func (r *testRegistry) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// frame returns payload in the wire format, after the given prefix (for
// Protobuf, a message index).
func frame(id int, prefix string, payload []byte) []byte {
	b := []byte{0, byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	return append(append(b, prefix...), payload...)
}

// checkErr checks that err wraps want (nil for no error), and prints it.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error %v, want one wrapping %q", err, want)
	case err != nil:
		t.Log(err)
	}
}

func mustEncode[T any](t testing.TB, c codec.Codec[T], v T) []byte {
	t.Helper()
	b, err := c.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
