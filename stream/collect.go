package stream

import (
	"context"
	"sync"
)

// Collect runs src on its own and returns all its items, in order, once it
// ends: a way to test a stream built from in-memory sources. It returns what
// it collected so far and the error if src fails, or if ctx is cancelled
// before src ends.
func Collect[T any](ctx context.Context, src Source[T]) ([]T, error) {
	var mu sync.Mutex
	var items []T
	app := NewApp()
	Handle(app, src, Func(func(v T) T { return v }), SinkFunc[T](func(_ context.Context, v T) error {
		mu.Lock()
		items = append(items, v)
		mu.Unlock()
		return nil
	}))
	err := app.Run(ctx)
	if err == nil {
		err = ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	return items, err
}
