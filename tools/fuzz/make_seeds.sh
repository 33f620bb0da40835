#!/usr/bin/env bash
# Regenerates the seed inputs of tools/fuzz/corpus/<reader>/: small valid files made by the library (the
# harness's "seeds" mode: specs, model files, IDX, PNG, CSV), a checkpoint and a model file with table
# preprocessing trained by the dendrite tool, and the small PNG and safetensors test fixtures.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=tools/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build tools/fuzz/Harness -c Release -o "$work/harness" --artifacts-path "$work/artifacts" >/dev/null
dotnet "$work/harness/Dendrite.Fuzz.Harness.dll" seeds "$corpus"

# A 12-row slice of the wine table trained for 2 epochs: a real checkpoint (options, history, generators,
# optimizer state) and a model file whose metadata holds the preprocessing.
{ head -1 data/wine/wine.csv; sed -n '2,5p;61,64p;131,134p' data/wine/wine.csv; } >"$work/wine12.csv"
dotnet run -c Release --project src/Dendrite.Cli -- train --model mlp:2 --data "$work/wine12.csv" --target class \
  --epochs 2 --batch-size 4 --out "$work/run" >/dev/null
mkdir -p "$corpus/checkpoint"
cp "$work/run/checkpoint.ckpt" "$corpus/checkpoint/wine-mlp.ckpt"
cp "$work/run/model.safetensors" "$corpus/onnx/wine-mlp.safetensors"
cp "$work/run/model.safetensors" "$corpus/safetensors/wine-mlp.safetensors"

for f in tests/Dendrite.Tests/Serialization/Fixtures/{dtypes,bnnet.io}.safetensors; do cp "$f" "$corpus/safetensors/"; done
cp tests/Dendrite.Tests/Serialization/Fixtures/bnnet.safetensors "$corpus/onnx/"
# The decoder fixtures up to 1.5 KB (afl works best on small inputs).
find tests/Dendrite.Tests/Data/Fixtures/png -name '*.png' -size -1536c -exec cp {} "$corpus/png/" \;
du -sh "$corpus"/*
