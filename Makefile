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
# --full: a pull request may edit the index too, so no site is kept on
# its word (README, Drift check).
check: build
	./$(BIN) render $(PROFILES) -o golden --check --full

# Every test: vet, then two passes at once, so both cores stay busy to the
# end: every Go test under the race detector, except NORACE, which runs
# without it. NORACE is the heavy tests that check rendered data, not
# concurrency, where the race detector costs 5 to 10 times the CPU: most
# render one thing at a time (nothing to race); the few at -j 2 run
# code the render package's raced tests run concurrently too (the example
# fleet at -j 2, whose sites share clusters; TestIncrementalCheck, kept
# and rendered sites mixed; the module and cluster tests):
# - the CLI in process on whole sites: internal/cli TestScripts,
#   TestSyncedPaths and TestJSONDocuments (raced, over 25 minutes alone
#   on two busy cores);
# - the chart contract tests, sequential renders of every release x hosting
#   x segment: TestChartsReadEveryValue (seven minutes raced, one plain),
#   TestStorageClassesAreActilitys, TestImagesAreTheReleases, and the CUE
#   values contract, TestValuesContract (60 plans);
# - the 20 real upstream charts: TestThinkube* (3.5 minutes raced, 20 s
#   plain) and render/helm TestRealCharts (each chart rendered twice);
# - renders of one site at a time or of a written tree: TestSecretExamples
#   (-j 1), TestValidateRendered* (reads golden/ serially),
#   TestDiffGoldenIsClean, TestDeterministic (the fleet at -j 1 against
#   the shared -j 2 render) and TestIncremental (31 site renders of three
#   sites; TestIncrementalCheck races the same paths);
# - the facts tests, TestFacts* and TestArgoCDWiring/TestFluxWiring: checks
#   of the data of one ten-site fleet (each site its own cluster) rendered
#   once; the example fleet races the same stages.
# Split measured with `go test -json` per package. make test on two idle
# cores: 6 min 14 s (11 min 14 s user CPU) before, 4 min 44 s (8 min 14 s
# user, 46 s system) after; the raced render package is the long pole.
NORACE_CLI    := TestScripts|TestSyncedPaths|TestJSONDocuments
NORACE_CHARTS := TestChartsReadEveryValue|TestStorageClassesAreActilitys|TestImagesAreTheReleases|TestValuesContract
NORACE_REAL   := TestThinkube.*|TestRealCharts
NORACE_RENDER := TestSecretExamples|TestValidateRendered.*|TestDiffGoldenIsClean|TestDeterministic|TestIncremental
NORACE_FACTS  := TestFacts.*|TestArgoCDWiring|TestFluxWiring
NORACE := ^($(NORACE_CLI)|$(NORACE_CHARTS)|$(NORACE_REAL)|$(NORACE_RENDER)|$(NORACE_FACTS))$$
NORACE_PKGS := ./internal/cli ./modules/... ./render ./render/helm ./render/profile ./render/review
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m -run '$(NORACE)' $(NORACE_PKGS) & plain=$$!; \
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
