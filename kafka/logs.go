package kafka

import (
	"context"
	"log/slog"

	ckafka "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// A logPump forwards one client's librdkafka log lines to a [slog.Logger].
// librdkafka logs through confluent-kafka-go into ch; the pump ends once
// the client has closed and stop is called.
type logPump struct {
	ch   chan ckafka.LogEvent
	done chan struct{}
}

func startLogs(logger *slog.Logger, client string) *logPump {
	l := &logPump{ch: make(chan ckafka.LogEvent, 64), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		ctx := context.Background()
		for ev := range l.ch {
			level := syslogLevel(ev.Level)
			if !logger.Enabled(ctx, level) {
				continue
			}
			logger.Log(ctx, level, "librdkafka: "+ev.Message, "client", client, "facility", ev.Tag)
		}
	}()
	return l
}

// stop ends the pump. The client must be closed: it must not log any more.
func (l *logPump) stop() {
	close(l.ch)
	<-l.done
}

// syslogLevel maps librdkafka's syslog levels to slog's. Notices and
// informational lines, which librdkafka logs on every connection change,
// go to Debug, so that an app's default Info log stays quiet.
func syslogLevel(l int) slog.Level {
	switch {
	case l <= 3: // emergency, alert, critical, error
		return slog.LevelError
	case l == 4: // warning
		return slog.LevelWarn
	default: // notice, info, debug
		return slog.LevelDebug
	}
}
