GO ?= go
GOLANGCI_LINT_VERSION ?= v2.15.0

.PHONY: run build test lint e2e bench

## run: build and start Foyer on http://localhost:8080 over ./foyer.db (SQLite)
run: build
	./bin/foyer serve

build:
	CGO_ENABLED=0 $(GO) build -o bin/foyer ./cmd/foyer

## test: every unit, storage-conformance and protocol test (SQLite and PostgreSQL)
test:
	$(GO) test -count=1 ./...

## lint: gofmt, go vet and golangci-lint (pinned) with the import-direction rules
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

## e2e: browser tests in Debian's Chromium
e2e:
	$(GO) test -count=1 -tags e2e ./e2e/...

## bench: load the server over loopback and print a table (flags: make bench BENCHFLAGS="-accounts 1000000 -explain")
bench:
	$(GO) run ./cmd/foyer-bench $(BENCHFLAGS)
