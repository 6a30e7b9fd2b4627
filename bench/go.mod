module github.com/slipstream-go/slipstream/bench

go 1.26.0

require (
	github.com/destel/rill v0.7.0
	github.com/reugn/go-streams v0.12.0
	github.com/slipstream-go/slipstream v0.0.0
)

replace github.com/slipstream-go/slipstream => ../
