# vulndesk — run `make help` for the targets.
GO       ?= go
export GOTOOLCHAIN ?= local
STATICCHECK_VERSION := v0.8.2
SHARED   ?= ../shared
BENCH_WORK ?= $(CURDIR)/.bench

.PHONY: help build demo test check race vet fmt-check tidy-check staticcheck fuzz bench bench-quick clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-12s %s\n", $$1, $$2}'

build: ## build ./vulndesk
	$(GO) build -trimpath -o vulndesk ./cmd/vulndesk

demo: ## scan the bundled example SBOM against the bundled example advisories
	$(GO) run ./cmd/vulndesk scan --db examples/advisories --fail-on none examples/sbom/webshop.cdx.json

test: ## run all tests; ends with the skipped ones (and why) and the counts
	$(GO) test -json ./... | $(GO) run ./scripts/testsummary

# The packages with concurrency under the race detector. CI runs `make
# race`: this list is the one place to add a package.
RACE_PKGS := ./internal/osv/ ./internal/match/ ./internal/advisorydb/ ./internal/report/ ./internal/cli/ \
	./internal/store/... ./internal/service/ ./internal/auth/

race: ## tests of the concurrent packages under the race detector (what CI runs)
	$(GO) test -race $(RACE_PKGS)

vet: ## go vet
	$(GO) vet ./...

fmt-check: ## fail when gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

tidy-check: ## fail when go mod tidy would change go.mod or go.sum
	$(GO) mod tidy -diff

staticcheck: ## staticcheck at a pinned version
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

check: fmt-check tidy-check vet staticcheck test race ## everything CI runs

fuzz: ## fuzz every parser for FUZZTIME each (default 30s)
	@for t in $$(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' internal | sed 's/func //' | sort -u); do \
	  pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal | head -1 | xargs dirname); \
	  echo "== $$t ($$pkg)"; $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$${FUZZTIME:-30s} ./$$pkg || exit 1; \
	done

bench: build ## side-by-side benchmark against osv-scanner (see docs/benchmarks.md)
	BENCH_WORK=$(BENCH_WORK) SHARED=$(SHARED) ./scripts/bench.sh

bench-quick: build ## the benchmark on the real SBOMs and 1k/10k synthetic ones only
	BENCH_WORK=$(BENCH_WORK) SHARED=$(SHARED) SIZES="1000 10000" ./scripts/bench.sh

.PHONY: bench-lag
bench-lag: ## the steady-load lag on a loaded server: bulk load, then 10 SBOMs/s of 200 components for 60 s; upload-to-findings p99 (both engines)
	BENCH_WORK=$(BENCH_WORK) SHARED=$(SHARED) PHASES=sync,ingest+match,steady ./scripts/bench-serve.sh

.PHONY: bench-serve
bench-serve: ## benchmark of `vulndesk serve` on SQLite and PostgreSQL (scripts/bench-serve.sh)
	BENCH_WORK=$(BENCH_WORK) SHARED=$(SHARED) ./scripts/bench-serve.sh

.PHONY: bench-pages
bench-pages: ## server time of the dashboard and the findings page with 1,000,000 findings, on SQLite and PostgreSQL (scripts/bench-pages.sh)
	./scripts/bench-pages.sh

.PHONY: bench-triage
bench-triage: ## triage with 1,000,000 findings and 100,000 decisions, on SQLite and PostgreSQL: list p99 with 20 clients, bulk triage of 10,000, re-match (scripts/bench-triage.sh)
	./scripts/bench-triage.sh

.PHONY: bench-export
bench-export: ## CSV export of 1,000,000 findings through `vulndesk serve`, on SQLite and PostgreSQL: rows, bytes, seconds, rows/s, server peak RSS (scripts/bench-export.sh)
	BENCH_WORK=$(BENCH_WORK) ./scripts/bench-export.sh

clean: ## remove build outputs
	rm -f vulndesk
