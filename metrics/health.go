package metrics

import (
	"fmt"
	"strconv"

	"github.com/slipstream-go/slipstream/internal/flow"
	"github.com/slipstream-go/slipstream/stream"
	"github.com/slipstream-go/slipstream/stream/streamio"
)

// probe checks the apps: each must be running, and each source and sink
// of theirs that is a [streamio.Prober] must pass check (its Live or its
// Ready). It returns what fails, one line each; none when all pass.
func probe(apps []*stream.App, check func(streamio.Prober) error) []string {
	var failed []string
	for i, a := range apps {
		fa := flow.AppOf(a)
		name := appName(fa, i)
		if !fa.Running() {
			failed = append(failed, name+": not running")
			continue
		}
		for _, r := range fa.Resources() {
			p, ok := r.Value.(streamio.Prober)
			if !ok {
				continue
			}
			if err := check(p); err != nil {
				failed = append(failed, fmt.Sprintf("%s: %s: %v", name, flow.Describe(r.Value), err))
			}
		}
	}
	return failed
}

// appName names an app in a probe's report: "app NAME" for one that
// reports metrics (see [With]), "app #i" otherwise.
func appName(a *flow.App, i int) string {
	if m, ok := a.Monitor.(*monitor); ok && m.name != "" {
		return "app " + m.name
	}
	return "app #" + strconv.Itoa(i+1)
}

func live(p streamio.Prober) error  { return p.Live() }
func ready(p streamio.Prober) error { return p.Ready() }
