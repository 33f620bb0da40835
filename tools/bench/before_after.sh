#!/usr/bin/env bash
# Two builds of Dendrite side by side in one sitting: interleaved rounds of `dendrite bench` (gemm, mlp, lenet,
# infer by default) for a base checkout and this one, every JSON line tagged with the build and the round; then
# the medians and now/base per figure (tools/bench/before_after_table.py). How issue 12's "no slowdown" was shown.
#
# usage: tools/bench/before_after.sh BASE_CHECKOUT OUT.jsonl [ROUNDS]     (ROUNDS defaults to 3)
#   WORKLOADS="gemm mlp lenet infer"   which `dendrite bench` workloads (cnn exists only from issue 18 on)
#   EPOCHS=5                           timed epochs of mlp and lenet; the first (warm-up, JIT) epoch is included
#                                      in the figure, so compare at 5 or more
#   THREADS="1 2"                      thread counts to run each workload at
# The base checkout is built in Release here if its CLI is missing. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
base=$(cd "${1:?usage: tools/bench/before_after.sh BASE_CHECKOUT OUT.jsonl [ROUNDS]}" && pwd)
out=${2:?usage: tools/bench/before_after.sh BASE_CHECKOUT OUT.jsonl [ROUNDS]}
rounds=${3:-3}
workloads=${WORKLOADS:-gemm mlp lenet infer}
epochs=${EPOCHS:-5}
threads=${THREADS:-1 2}
data=$(pwd)/data/mnist-sample
cli=src/Dendrite.Cli/bin/Release/net10.0/Dendrite.Cli.dll

dotnet build -c Release src/Dendrite.Cli -v quiet -nologo >/dev/null
[ -f "$base/$cli" ] || dotnet build -c Release "$base/src/Dendrite.Cli" -v quiet -nologo >/dev/null
: > "$out"
echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
echo "# base $(git -C "$base" rev-parse --short HEAD), now $(git rev-parse --short HEAD)" | tee -a "$out"

run() { # build round workload threads
  local dir=$1 build=$2 round=$3 workload=$4 t=$5
  (cd "$dir" && dotnet "$cli" bench "$workload" --threads "$t" --epochs "$epochs" --data "$data") 2>/dev/null \
    | grep '^{' | sed -e "s/}\$/, \"build\": \"$build\", \"round\": $round, \"workload\": \"$workload\"}/" | tee -a "$out"
}

for r in $(seq 1 "$rounds"); do
  for w in $workloads; do
    for t in $threads; do
      # alternate which build goes first so a drift in the machine does not favour one side
      if (( r % 2 )); then run "$base" base "$r" "$w" "$t"; run . now "$r" "$w" "$t"
      else run . now "$r" "$w" "$t"; run "$base" base "$r" "$w" "$t"; fi
    done
  done
done
echo "# $(date -u +%FT%TZ) done, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
python3 tools/bench/before_after_table.py "$out"
