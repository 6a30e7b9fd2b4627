package window

import (
	"log/slog"
	"sync"
	"time"
)

// lateLogEvery is how often, at most, late records are logged at Info.
const lateLogEvery = 10 * time.Second

// A lateLog logs late records: each at Debug, and at Info the first one
// and then at most once per lateLogEvery, with how many came since the
// last such line. A stream whose records often come late would otherwise
// log a line per record; the count of them all is the operator's Late.
type lateLog struct {
	mu    sync.Mutex
	last  time.Time // of the last line at Info
	since int64     // late records since then
}

// log logs a late record described by attrs.
func (l *lateLog) log(logger *slog.Logger, attrs ...any) {
	logger.Debug("window: late record", attrs...)
	l.mu.Lock()
	l.since++
	now := time.Now()
	if !l.last.IsZero() && now.Sub(l.last) < lateLogEvery {
		l.mu.Unlock()
		return
	}
	n := l.since
	l.last, l.since = now, 0
	l.mu.Unlock()
	logger.Info("window: late records: counted, not kept (the last one's details follow)", append([]any{"late", n}, attrs...)...)
}
