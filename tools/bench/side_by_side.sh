#!/usr/bin/env bash
# Measures Dendrite, PyTorch (Debian's python3-torch, with OpenBLAS), numpy/OpenBLAS, ONNX Runtime
# (npm onnxruntime-node) and the machine's FMA peak in one sitting, on the workloads of
# ../shared/BENCHMARKS.md, and writes every JSON line to one file. docs/performance.md quotes its output.
#
# usage: tools/bench/side_by_side.sh [OUT.jsonl]      (from the repository root; takes ~10 minutes)
# needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread gcc; (cd tools/onnx && npm ci --ignore-scripts)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench-$(date +%Y%m%d-%H%M).jsonl}
shared=../shared/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" | tee "$out"
gcc -O2 -mavx2 -mfma -pthread "$shared/fma_peak.c" -o "$work/fma_peak"
"$work/fma_peak" | sed 's/^/# fma_peak: /' | tee -a "$out"

dotnet build -c Release src/Dendrite.Cli -v quiet -nologo >/dev/null
for threads in 1 2; do
  dotnet src/Dendrite.Cli/bin/Release/net10.0/Dendrite.Cli.dll bench all --threads "$threads" | tee -a "$out"
  /usr/bin/python3 "$shared/torch_bench.py" --threads "$threads" --data data/mnist-sample | tee -a "$out"
done

/usr/bin/python3 "$shared/export_onnx.py" "$work" >/dev/null
NODE_PATH=tools/onnx/node_modules node "$shared/ort_bench.js" "$work" | tee -a "$out"
echo "wrote $out"
