# tpgen: `make render` renders the example fleet, `make test` runs every test.
GO      ?= go
BIN     := bin/tpgen
PROFILES ?= profiles
OUT     ?= deploy

.PHONY: all build render check test vet golden bench bench-cli fuzz schema e2e clean

all: build

# VERSION goes into DIR/.tpgen-index.json. golden/ is rendered by the tests
# as devel, so bin/tpgen is devel too and `make check` gives the same bytes
# on every machine and CI clone (-buildvcs=false: no Git needed). A release
# build sets it: make build VERSION=v1.2.3. `go install .../cmd/tpgen@vX`
# needs none of this: the module version is the version.
VERSION ?= devel
build:
	$(GO) build -buildvcs=false -ldflags "-X github.com/tpgen/tpgen/internal/cli.version=$(VERSION)" -o $(BIN) ./cmd/tpgen

# The main job on the bundled example profiles.
render: build
	./$(BIN) validate $(PROFILES)
	./$(BIN) render $(PROFILES) -o $(OUT)

# The CI gate of a config repository, on golden/: exit 3 if it is stale.
check: build
	./$(BIN) render $(PROFILES) -o golden --check

# Every test: vet, then two passes at once, so both cores stay busy to the
# end: every Go test under the race detector, and without it the CLI's
# whole-fleet runs (internal/cli TestScripts, TestSyncedPaths and
# TestJSONDocuments: the CLI in process, whose render code the render
# package's tests already run under -race, sites in parallel included),
# the chart contract test (TestChartsReadEveryValue: pure rendering, seven
# minutes raced, one plain) and the Thinkube tests over 20 real upstream
# charts (TestThinkube*: 3.5 minutes raced, 20 s plain). Raced, the CLI
# runs alone took over 25 minutes on two busy cores.
NORACE := ^(TestScripts|TestSyncedPaths|TestJSONDocuments|TestChartsReadEveryValue|TestThinkube.*)$$
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m -run '$(NORACE)' ./internal/cli ./modules/... ./render & plain=$$!; \
	$(GO) test -race -count=1 -timeout 30m -skip '$(NORACE)' ./...; rc=$$?; \
	wait $$plain || rc=1; exit $$rc

# End to end: every example site applied, whole, to a real kube-apiserver
# (../shared/tools/apiserver-up.sh, one fresh server per site), with the
# upstream CRDs of the release's operators. Binaries are built once into
# APISERVER_CACHE (5 to 10 minutes cold). Skips, loudly, without ../shared.
# Servers are stopped even if the test process dies.
APISERVER_CACHE ?= $(HOME)/.cache/tpgen-apiserver
e2e:
	@if [ ! -d ../shared/tools ]; then echo "*** make e2e: ../shared is absent: end-to-end tests SKIPPED ***"; exit 0; fi; \
	$(GO) vet -tags e2e ./e2e/ || exit 1; \
	state=$$(mktemp -d /tmp/tpgen-e2e-run.XXXXXX); \
	APISERVER_CACHE=$(APISERVER_CACHE) TPGEN_E2E_STATE=$$state $(GO) test -tags e2e -count=1 -v -timeout 60m ./e2e/; rc=$$?; \
	for d in $$state/*/; do [ -d "$$d" ] && APISERVER_DIR=$${d%/} bash ../shared/tools/apiserver-down.sh; done; \
	rm -rf $$state; exit $$rc

# Rewrite golden/ from the example profiles (deletes stale files); review the diff.
golden:
	$(GO) test ./render -run TestGolden -update

# Benchmarks; compare runs with benchstat.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./render/... | tee bench.out

# tpgen against helm template + kustomize build per site on a generated
# fleet (installs both with go install; SITES=100 RUNS=1 JOBS="1 2").
bench-cli:
	bench/cli-pipeline.sh

fuzz:
	$(GO) test ./render/profile -run '^$$' -fuzz FuzzLoad -fuzztime 60s

# The JSON Schema editors use for YAML profiles.
schema: build
	for m in $$(TPGEN_MODULE_PATH= ./$(BIN) modules | awk -F'\t' '$$2 ~ /^builtin:/ {print $$1}'); do \
		./$(BIN) schema --module $$m --format jsonschema > profiles/schema/$$m.schema.json || exit 1; \
	done
	./$(BIN) schema --format jsonschema > profiles/schema/profile.schema.json

clean:
	rm -rf bin $(OUT) bench.out
