package flow

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// RunUntilSignal runs the app until a signal; see stream.App.RunUntilSignal.
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
					a.Logger.Info("stream: draining; signal again to abort", "signal", sig.String())
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
