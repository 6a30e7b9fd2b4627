package stream

import "github.com/slipstream-go/slipstream/internal/flow"

// Packages of this module that extend an app from outside (metrics) reach
// its engine through flow.AppOf, so that package stream exports nothing for
// them and imports no metrics library.
func init() {
	flow.AppOf = func(a any) *flow.App { return a.(*App).app }
}
