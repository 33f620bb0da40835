#!/usr/bin/env bash
# Runs the dendrite CLI against every hostile input of tools/fuzz/hostile/generate.py under /usr/bin/time -v
# and prints a Markdown table: exit code, stderr lines, wall time, CPU time (user + system: what the process
# itself spent, which a loaded machine does not inflate as it does the wall time), peak RSS and the message.
# A row passes when the exit code is 1 or 2, the message is one line, the wall time is under 1 s and the peak
# RSS under 200 MB. Exit status: the number of failing rows (0 when all pass).
#   tools/fuzz/hostile/run.sh [OUT_DIR]     (builds the CLI in Release first; OUT_DIR default tools/fuzz/hostile/out)
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$here/out}"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
[ -d "$out/mnist-2m" ] || "$python" "$here/generate.py" "$out" || exit 100
dotnet build -c Release "$root/src/Dendrite.Cli" -v q -nologo > /dev/null || { echo "build failed" >&2; exit 100; }
dll="$root/src/Dendrite.Cli/bin/Release/net10.0/Dendrite.Cli.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset DENDRITE_MAX_MEMORY

failures=0
echo "| input | command | exit | lines | wall (s) | CPU (s) | peak RSS (MB) | ok | message |"
echo "|---|---|---|---|---|---|---|---|---|"
row() {
    local name="$1"; shift
    local cmd="$*"
    (cd "$out" && /usr/bin/time -v -o "$work/time" dotnet "$dll" "$@" > "$work/stdout" 2> "$work/stderr")
    local rc=$?
    local lines wall cpu rss message ok
    lines=$(grep -c . "$work/stderr")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$work/time")
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$work/time")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$work/time")
    message=$(head -c 300 "$work/stderr" | head -n 1 | sed 's/|/\\|/g')
    ok=yes
    if [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then ok=no; fi
    if [ "$lines" -ne 1 ]; then ok=no; fi
    if awk -v w="$wall" 'BEGIN { exit !(w >= 1.0) }'; then ok=no; fi
    if [ "$rss" -ge 200 ]; then ok=no; fi
    [ "$ok" = yes ] || failures=$((failures + 1))
    echo "| $name | \`${cmd//|/\\|}\` | $rc | $lines | $wall | $cpu | $rss | $ok | $message |"
}

row "model file, spec 784→320,000 (248 KB)" summary --model spec-320k.safetensors
row "model file, spec 784→320,000 (248 KB)" predict --model spec-320k.safetensors --input ok-digit.png
row "model file, spec 784→320,000 (248 KB)" evaluate --model spec-320k.safetensors --data mnist-tiny
row "model file, spec 784→320,000 (248 KB)" export --model spec-320k.safetensors --format onnx --out "$work/x.onnx"
row "model file, spec 40,000→40,000" summary --model spec-40k.safetensors
row "spec 40,000→40,000" train --model spec-40k.json --data tiny.csv --target label --out "$work/run"
row "spec 40,000→40,000" graph --model spec-40k.json --out "$work/g.svg"
row "mlp:300000" train --model mlp:300000 --data mnist-tiny --out "$work/run"
row "20,000 ReLU layers" train --model relu-20k.json --data mnist-tiny --out "$work/run"
row "checkpoint, spec 784→320,000" train --resume spec-320k.ckpt --data mnist-tiny
row "gzip IDX, 2,000,000 images (1.5 MB)" train --model mlp:16 --data mnist-2m --out "$work/run"
row "gzip IDX, 2,000,000 images (1.5 MB)" data info mnist-2m
row "plain IDX claiming 2,000,000 images" data info mnist-claims-2m
row "PNG 20,000×20,000 (389 KB)" predict --model ok-model.safetensors --input png-20000x20000.png
row "PNG 20,000×20,000 (389 KB)" data info png-20000x20000.png
row "PNG inflating past its size" predict --model ok-model.safetensors --input png-inflates-twice.png
row "conv padding 10⁹" summary --model conv-pad-1e9.json
row "input [2e9, 2e9, 2e9]" summary --model input-2e9.json
row "input [2e9, 2e9, 2e9]" train --model input-2e9.json --data tiny.csv --target label --out "$work/run"
row "safetensors tensor past the end (40 GB)" data info tensor-past-end.safetensors
row "safetensors header length 2^63" data info header-2e63.safetensors
row "CSV cell of 10,000,000 digits" train --model mlp:8 --data csv-10m-digits.csv --target label --out "$work/run"
exit "$failures"
