#!/usr/bin/env bash
# Issue 18's side-by-side sitting: interleaved rounds of Dendrite (bench mlp, lenet, cnn at 1 and 2 threads), the
# .NET anchors (TorchSharp and ONNX Runtime's C# API, ../shared/bench/dotnet-anchors), PyTorch
# (../shared/bench/torch_bench.py) and the AVX-512 FMA peak, every JSON line into one file; then the medians and
# the issue's ratios as one table (tools/bench/issue18_table.py).
#
# usage: tools/bench/issue18.sh OUT.jsonl [ROUNDS]        (from anywhere; ROUNDS defaults to 3)
#   EPOCHS=N  timed epochs per training workload (default 5; fewer only to try the script out)
#   SHARED=DIR  the shared folder (default ../shared next to the repository, else /work/shared)
# The torch engines' cnn runs once as they are and once with glibc's malloc kept from returning memory to the
# system (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_, see BENCHMARKS.md), reported as engine "<engine>+malloc".
# cnn memory, for both engines alike: cnn_train_peak_rss, the process's high-water mark when it prints cnn_train
# (tools/bench/peak_at_line.sh), and cnn_process_peak_rss, the whole process's (/usr/bin/time; it goes on to
# inference: TorchSharp's process also runs ONNX Runtime's). Dendrite's own cnn_peak_rss line is kept as well.
# Takes about 45 minutes on a quiet 2-core machine (cnn training dominates).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: tools/bench/issue18.sh OUT.jsonl [ROUNDS]}
rounds=${2:-3}
epochs=${EPOCHS:-5}
shared=${SHARED:-../shared}
[ -d "$shared/bench" ] || shared=/work/shared
[ -d "$shared/bench" ] || { echo "issue18.sh: no shared/bench folder (set SHARED)" >&2; exit 1; }
data=data/mnist-sample
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
malloc=(env MALLOC_MMAP_THRESHOLD_=4000000000 MALLOC_TRIM_THRESHOLD_=4000000000)

: > "$out"
note() { echo "# $*" | tee -a "$out"; }
# Runs a command, keeps its JSON lines, tags them with the round (and renames the engine when asked).
record() {
  local round=$1 suffix=$2; shift 2
  "$@" 2>>"$work/stderr" | grep '^{' | sed -e "s/}\$/, \"round\": $round}/" \
    -e "s/\"engine\": *\"\([a-z-]*\)\"/\"engine\": \"\1$suffix\"/" | tee -a "$out"
}

note "$(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
gcc -O2 -mavx512f -pthread tools/bench/fma_peak_avx512.c -o "$work/fma_peak_avx512"
dotnet build -c Release src/Dendrite.Cli -v quiet -nologo >/dev/null
dotnet build -c Release "$shared/bench/dotnet-anchors" -v quiet -nologo >/dev/null
dendrite=(dotnet src/Dendrite.Cli/bin/Release/net10.0/Dendrite.Cli.dll)
anchors=(dotnet run -c Release --no-build --project "$shared/bench/dotnet-anchors" --)
# The anchors' program itself (dotnet run starts it as a child), for peak_at_line.sh to read its memory.
anchor_dll=(dotnet "$(dotnet msbuild "$shared/bench/dotnet-anchors" -p:Configuration=Release -getProperty:TargetPath)")

for round in $(seq 1 "$rounds"); do
  note "round $round: $(date -u +%T), load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$work/fma_peak_avx512" | sed -n 's/^threads=\([0-9]\) peak_gflops=\([0-9.]*\).*/{"bench": "fma_peak", "engine": "avx512", "threads": \1, "gflops": \2}/p' \
    | sed -e "s/}\$/, \"round\": $round}/" | tee -a "$out"
  for threads in 1 2; do
    for w in mlp lenet; do
      record "$round" "" "${dendrite[@]}" bench "$w" --threads "$threads" --epochs "$epochs"
    done
    # cnn: its peak memory measured alike for both engines, at the end of training (peak_at_line.sh reads the
    # process's high-water mark when it prints cnn_train) and for the whole process (/usr/bin/time: training,
    # then inference; for the anchors, TorchSharp's and ONNX Runtime's).
    record "$round" "" /usr/bin/time -o "$work/rss" -f '{"bench": "cnn_process_peak_rss", "engine": "dendrite", "threads": '"$threads"', "max_rss_kb": %M}' \
      tools/bench/peak_at_line.sh cnn_train_peak_rss dendrite '"cnn_train"' "${dendrite[@]}" bench cnn --threads "$threads" --epochs "$epochs"
    record "$round" "" cat "$work/rss"
    record "$round" "" "${anchors[@]}" --threads "$threads" --epochs "$epochs" --data "$data" --only mlp,lenet
    record "$round" "" /usr/bin/time -o "$work/rss" -f '{"bench": "cnn_process_peak_rss", "engine": "torchsharp", "threads": '"$threads"', "max_rss_kb": %M}' \
      tools/bench/peak_at_line.sh cnn_train_peak_rss torchsharp '"cnn_train"' "${anchor_dll[@]}" --threads "$threads" --epochs "$epochs" --only cnn
    record "$round" "" cat "$work/rss"
    record "$round" "+malloc" "${malloc[@]}" "${anchors[@]}" --threads "$threads" --epochs "$epochs" --only cnn
    record "$round" "" /usr/bin/python3 "$shared/bench/torch_bench.py" --threads "$threads" --epochs "$epochs" --data "$data" --only mlp,lenet,cnn
    record "$round" "+malloc" "${malloc[@]}" /usr/bin/python3 "$shared/bench/torch_bench.py" --threads "$threads" --epochs "$epochs" --only cnn
  done
done
note "done $(date -u +%T)"
python3 tools/bench/issue18_table.py "$out"
