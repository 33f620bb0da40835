#!/usr/bin/env bash
# Measures Dendrite, PyTorch (Debian's python3-torch, with OpenBLAS), numpy/OpenBLAS, ONNX Runtime
# (npm onnxruntime-node) and the machine's FMA peak in one sitting, on the workloads of
# ../shared/BENCHMARKS.md, and writes every JSON line to one file. docs/performance.md quotes its output.
#
# usage: tools/bench/side_by_side.sh [OUT.jsonl]      (from the repository root; takes ~10-15 minutes)
# needs: apt-get install -y python3-torch python3-numpy libopenblas0-pthread gcc; (cd tools/bench && npm ci --ignore-scripts)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench-$(date +%Y%m%d-%H%M).jsonl}
shared=../shared/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" | tee "$out"
gcc -O2 -mavx2 -mfma -pthread "$shared/fma_peak.c" -o "$work/fma_peak"
"$work/fma_peak" | sed 's/^/# fma_peak: /' | tee -a "$out"
# fma_peak measures 256-bit FMAs; where the CPU has AVX-512 (and Dendrite's 6x32 kernel runs) its limit is twice that.
if grep -qw avx512f /proc/cpuinfo; then
  gcc -O2 -mavx512f -pthread tools/bench/fma_peak_avx512.c -o "$work/fma_peak_avx512"
  "$work/fma_peak_avx512" | sed 's/^/# fma_peak_avx512: /' | tee -a "$out"
fi

# OpenBLAS picks its kernels from the CPU model; under some hypervisors it does not know the model and falls back
# to an old SSE3 core ("Prescott"), about a third of its real speed. PyTorch multiplies through the same library.
# Then PyTorch and numpy also run with the core this CPU's instruction set calls for, as extra engines.
core=$(OPENBLAS_VERBOSE=2 /usr/bin/python3 -c "import numpy" 2>&1 | sed -n 's/^Core: *//p' | head -n 1)
echo "# openblas core: ${core:-unknown}" | tee -a "$out"
forced=""
if grep -qw avx512f /proc/cpuinfo; then best=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then best=Haswell; else best=""; fi
if [ -n "$best" ] && [ -n "$core" ] && ! printf '%s' "$core" | grep -qiE 'skylakex|cooperlake|sapphirerapids|haswell|zen'; then
  forced=$best
  echo "# openblas core forced for the extra engines: $forced" | tee -a "$out"
fi

dotnet build -c Release src/Dendrite.Cli -v quiet -nologo >/dev/null
for threads in 1 2; do
  dotnet src/Dendrite.Cli/bin/Release/net10.0/Dendrite.Cli.dll bench all --threads "$threads" | tee -a "$out"
  /usr/bin/python3 "$shared/torch_bench.py" --threads "$threads" --data data/mnist-sample | tee -a "$out"
  if [ -n "$forced" ]; then
    OPENBLAS_CORETYPE=$forced /usr/bin/python3 "$shared/torch_bench.py" --threads "$threads" --data data/mnist-sample \
      | sed "s/\"engine\": \"\([a-z-]*\)\"/\"engine\": \"\1+openblas-$forced\"/" | tee -a "$out"
  fi
done

/usr/bin/python3 "$shared/export_onnx.py" "$work" >/dev/null
NODE_PATH=tools/bench/node_modules node "$shared/ort_bench.js" "$work" | tee -a "$out"
echo "wrote $out"
