# The two commands a newcomer needs: `make demo` and `make test`.

GO ?= go

.PHONY: demo test vet bench ratios deps

## demo: the getting-started pipeline: emoji to Kafka, counted in a Cache, printed every 3 s
# Built, then run, not `go run`: the go command exits with status 1 once it
# has been interrupted, whatever the program's own status, so Ctrl-C, which
# drains the demo, would end `make demo` with an error.
demo: deps
	$(GO) build -o bin/demo ./examples/demo
	./bin/demo

## test: vet, then every test of the library and the bench module, with the race detector
test: deps vet
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /examples/)
	# The examples one package at a time: scaleout and exactlyonce each run a
	# broker and consumer processes; side by side on 2 cores they are slow.
	$(GO) test -race -count=1 -p 1 ./examples/...
	cd bench && $(GO) test -race -count=1 ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	cd bench && $(GO) vet ./...

## bench: every benchmark, go test's own output
bench: deps
	cd bench && $(GO) test -run '^$$' -bench . -benchmem ./...

## ratios: the benchmark figures that matter, as ratios to baselines measured in the same run
ratios: deps
	cd bench && $(GO) run ./cmd/ratios

# RocksDB comes from the system (cgo); say what to install rather than fail with cgo errors.
deps:
	@test -f /usr/include/rocksdb/c.h || { \
		echo "RocksDB's C headers are missing: install them with"; \
		echo "    sudo apt-get install -y librocksdb-dev"; \
		echo "(Debian/Ubuntu; RocksDB 7.8.x, which grocksdb v1.7.15 matches)"; exit 1; }
