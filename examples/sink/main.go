// Sink: user functions as sinks, one writing to a file and one posting to an
// HTTP endpoint, and what happens when a sink fails.
//
// sink.Func turns any func(ctx, v) error into a sink. Each output of the
// handler goes to its sinks in order, and counts as accepted once every
// sink has returned nil. A sink that returns an error fails the app:
// App.Run stops every handler and returns the error, prefixed with the
// handler and the sink it came from. Here the endpoint, served locally,
// refuses fish.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipstream-go/slipstream/sink"
	"github.com/slipstream-go/slipstream/source"
	"github.com/slipstream-go/slipstream/stream"
)

func greet(emoji string) string { return "Hello " + emoji + "!" }

// refuseFish is the HTTP endpoint the handler's outputs are posted to.
func refuseFish(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if bytes.Contains(body, []byte("🐟")) {
		http.Error(w, "no fish, please", http.StatusUnprocessableEntity)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func run(ctx context.Context, w io.Writer) error {
	dir, err := os.MkdirTemp("", "slipstream-sink")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "greetings.txt")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()

	toFile := sink.Func(func(_ context.Context, line string) error {
		_, err := fmt.Fprintln(f, line)
		return err
	}).Named("file") // the name errors give it

	server := httptest.NewServer(http.HandlerFunc(refuseFish))
	defer server.Close()
	toServer := sink.Func(func(ctx context.Context, line string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, server.URL, strings.NewReader(line))
		if err != nil {
			return err
		}
		resp, err := server.Client().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			msg, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("POST %q: %s: %s", line, resp.Status, bytes.TrimSpace(msg))
		}
		return nil
	}).Named("server")

	app := stream.NewApp()
	handler := stream.Func(greet).Named("greet") // the name errors give it
	stream.Handle(app, source.Values("🏆", "📞", "🐟", "👌"), handler, toFile, toServer)
	runErr := app.Run(ctx)

	// Whatever reached the file before the failure is there.
	if err := f.Close(); err != nil {
		return err
	}
	written, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s:\n%s", filepath.Base(path), written)
	return runErr
}

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
