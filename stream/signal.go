package stream

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// RunUntilSignal runs the app like [App.Run] until ctx is cancelled or the
// process receives SIGINT or SIGTERM (Ctrl-C, or a container being stopped).
// The first signal drains the app gracefully: sources stop reading, the items
// already read reach their sinks, offsets are committed and resources close.
// A second signal aborts at once.
func (a *App) RunUntilSignal(ctx context.Context) error {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	drain, stop := context.WithCancel(ctx)
	defer stop()
	abort, cancelAbort := context.WithCancelCause(context.Background())
	defer cancelAbort(nil)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		for n := 0; ; n++ {
			select {
			case sig := <-signals:
				if n == 0 {
					a.logger.Info("stream: draining; signal again to abort", "signal", sig.String())
					stop()
				} else {
					cancelAbort(errInterrupted)
					return
				}
			case <-abort.Done():
				return
			}
		}
	}()
	err := a.run(drain, abort)
	cancelAbort(nil)
	<-watching
	return err
}
