# tpgen: `make render` renders the example fleet, `make test` runs every test.
GO      ?= go
BIN     := bin/tpgen
PROFILES ?= profiles
OUT     ?= deploy

.PHONY: all build render check test vet golden bench fuzz schema clean

all: build

# -buildvcs=false: a local build calls itself "devel" (the version goes into
# the output index); releases set it with -ldflags -X .../internal/cli.version.
build:
	$(GO) build -buildvcs=false -o $(BIN) ./cmd/tpgen

# The main job on the bundled example profiles.
render: build
	./$(BIN) validate $(PROFILES)
	./$(BIN) render $(PROFILES) -o $(OUT)

# The CI gate of a config repository, on golden/: exit 3 if it is stale.
check: build
	./$(BIN) render $(PROFILES) -o golden --check

# Every test: vet, unit, golden, CLI scripts, with the race detector
# (which slows rendering about tenfold: the CLI scripts need more than go
# test's default 10 minutes on a 2-core machine).
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

# Rewrite golden/ from the example profiles (deletes stale files); review the diff.
golden:
	$(GO) test ./render -run TestGolden -update

# Benchmarks; compare runs with benchstat.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./render/... | tee bench.out

fuzz:
	$(GO) test ./render/profile -run '^$$' -fuzz FuzzLoad -fuzztime 60s

# The JSON Schema editors use for YAML profiles.
schema: build
	./$(BIN) schema --format jsonschema > profiles/schema/profile.schema.json

clean:
	rm -rf bin $(OUT) bench.out
