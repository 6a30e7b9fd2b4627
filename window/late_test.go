package window

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Late records are logged each at Debug, and at Info the first one and
// then at most every lateLogEvery, with how many came since.
func TestLateRecordsLoggedAtInfoAtMostEveryTenSeconds(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var l lateLog
	lines := func(level string) []string {
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if strings.Contains(line, "level="+level) {
				got = append(got, line)
			}
		}
		return got
	}

	l.log(logger, "key", "a")
	l.log(logger, "key", "b")
	l.log(logger, "key", "c")
	if info := lines("INFO"); len(info) != 1 || !strings.Contains(info[0], "late=1") || !strings.Contains(info[0], "key=a") {
		t.Fatalf("Info lines %q: want one, for the first late record", info)
	}
	if debug := lines("DEBUG"); len(debug) != 3 {
		t.Fatalf("Debug lines %q: want one per late record", debug)
	}

	l.mu.Lock()
	l.last = l.last.Add(-lateLogEvery - time.Second) // as if 11 s had passed
	l.mu.Unlock()
	l.log(logger, "key", "d")
	if info := lines("INFO"); len(info) != 2 || !strings.Contains(info[1], "late=3") || !strings.Contains(info[1], "key=d") {
		t.Fatalf("Info lines %q: want a second one counting b, c and d", info)
	}
}
