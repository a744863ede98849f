#!/usr/bin/env bash
# The CLI pipeline benchmark of issue 17: what tpgen does in one process,
# done by `helm template` and `kustomize build` per site, as teams script
# it, on the same generated fleet (render's BenchmarkRender100 fleet);
# measured side by side with `tpgen render`, at -j1 and -j2.
#
#   bench/cli-pipeline.sh            # from the repository root; `make bench-cli`
#   SITES=20 RUNS=2 bench/cli-pipeline.sh
#
# It installs helm and kustomize with `go install` (the Go module proxy
# only) into a temporary GOBIN, exports the inputs (bench/export: per site
# and component the chart, the values tpgen computed, the release,
# namespace and Capabilities, and a kustomization with the Components tpgen
# applies), then, RUNS times, interleaved: the CLI pipeline (each site's
# run.sh: helm template per component, kustomize build) through xargs -P J,
# and `tpgen render FLEET -o DIR -j J` into an empty directory, at J=1 and
# J=2. Exporting is not timed. CPU is user+sys of the command and its
# children (/usr/bin/time). Every CLI run checks that kustomize's output
# holds as many objects as tpgen renders for the site.
set -euo pipefail

SITES=${SITES:-100}
RUNS=${RUNS:-1}
JOBS=${JOBS:-"1 2"}
HELM_VERSION=${HELM_VERSION:-v3.22.0}           # helm.sh/helm/v3 in go.mod
KUSTOMIZE_VERSION=${KUSTOMIZE_VERSION:-v5.8.2}  # its api is go.mod's v0.21.2

root=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-$(mktemp -d)}
keep=${WORK:+1}
cleanup() { [ -n "$keep" ] || rm -rf "$work"; }
trap cleanup EXIT

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "installing helm $HELM_VERSION and kustomize $KUSTOMIZE_VERSION into $work/bin"
export GOBIN=$work/bin
GOFLAGS=-buildvcs=false go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
GOFLAGS=-buildvcs=false go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
(cd "$root" && go build -o "$work/bin/tpgen" ./cmd/tpgen)
export PATH=$work/bin:$PATH

echo "exporting the $SITES-site fleet and its CLI inputs (not timed)"
(cd "$root" && go run ./bench/export -n "$SITES" -o "$work/in")

# measure NAME CMD...: runs CMD, prints and records wall and CPU seconds.
declare -A cpu wall
measure() {
	local name=$1; shift
	local t=$work/time.$name
	/usr/bin/time -f '%e %U %S' -o "$t" "$@" > "$work/log.$name" 2>&1 || {
		echo "$name failed:"; tail -20 "$work/log.$name"; exit 1; }
	read -r w u s < "$t"
	wall[$name]=$(echo "${wall[$name]:-0} + $w" | bc)
	cpu[$name]=$(echo "${cpu[$name]:-0} + $u + $s" | bc)
	printf '  %-12s wall %7.2f s  cpu %7.2f s\n' "$name" "$w" "$(echo "$u + $s" | bc)"
}

for run in $(seq "$RUNS"); do
	echo "run $run of $RUNS"
	for j in $JOBS; do
		find "$work/in/sites" -name out.yaml -delete
		measure "cli-j$j" sh -c "ls -d '$work/in/sites'/*/ | sed 's|\$|run.sh|' | xargs -P $j -n 1 sh"
		rm -rf "$work/tpgen-j$j" && mkdir -p "$work/tpgen-j$j"
		# The fleet's gitops.path is sites: the tree is written there.
		measure "tpgen-j$j" sh -c "cd '$work/tpgen-j$j' && tpgen render '$work/in/fleet' -o sites -j $j"
	done
done

objects=$(cat "$work"/in/sites/*/expected | paste -sd+ | bc)
echo "same objects: every site's kustomize build holds tpgen's count ($objects objects in $SITES sites)"
echo "per run (mean of $RUNS):"
for j in $JOBS; do
	c=$(echo "scale=2; ${cpu[cli-j$j]} / ${cpu[tpgen-j$j]}" | bc)
	w=$(echo "scale=2; ${wall[cli-j$j]} / ${wall[tpgen-j$j]}" | bc)
	printf '  -j%s: CLI %.1f CPU-s %.1f s wall, tpgen %.1f CPU-s %.1f s wall: tpgen uses %sx less CPU, %sx less wall time\n' "$j" \
		"$(echo "scale=2; ${cpu[cli-j$j]} / $RUNS" | bc)" "$(echo "scale=2; ${wall[cli-j$j]} / $RUNS" | bc)" \
		"$(echo "scale=2; ${cpu[tpgen-j$j]} / $RUNS" | bc)" "$(echo "scale=2; ${wall[tpgen-j$j]} / $RUNS" | bc)" "$c" "$w"
done
