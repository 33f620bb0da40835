#!/usr/bin/env bash
# tools/fuzz/run.sh READER MINUTES — coverage-guided fuzzing of one reader with afl-fuzz and SharpFuzz.
#
# READER is one of safetensors, checkpoint, spec, idx, png, csv, onnx (the targets of
# tests/Dendrite.Tests/Fuzz/FuzzTargets.cs). Builds tools/fuzz/Harness into tools/fuzz/out/harness, instruments
# Dendrite.dll there with sharpfuzz (installed into tools/fuzz/out/tools), and runs afl-fuzz at nice 19 for
# MINUTES on the seeds of tools/fuzz/corpus/READER/ (campaigns of different readers may run at once, one per
# core; the build is done under a shared lock, each reader's campaign under its own). Findings land in
# tools/fuzz/out/findings/READER/ (crashes/, hangs/, queue/); the campaign's figures are printed and appended
# to tools/fuzz/out/campaigns.tsv. Needs afl++ (Debian: apt-get install afl++) and the .NET SDK.
#
# Every crash found is a bug to fix in the reader; keep the input in tools/fuzz/regressions/READER/ so that
# FuzzCorpusTests replays it. To grow the corpus: tools/fuzz/keep.sh READER.
#
# Environment: FUZZ_TIMEOUT_MS (afl's per-input limit, default 2000: past it is a hang), FUZZ_HEAP_LIMIT
# (the .NET GC heap limit of the target, default 0x40000000 = 1 GiB: allocating past it is an
# OutOfMemoryException and so a crash), FUZZ_REBUILD=0 to reuse the instrumented build.
set -euo pipefail
cd "$(dirname "$0")"
readers=(safetensors checkpoint spec idx png csv onnx)
if (($# != 2)) || [[ ! " ${readers[*]} " == *" $1 "* ]] || ! [[ $2 =~ ^[0-9]+$ ]]; then
  echo "usage: tools/fuzz/run.sh READER MINUTES   (READER: ${readers[*]})" >&2
  exit 2
fi
reader=$1 minutes=$2
command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found; install afl++ (apt-get install -y afl++)" >&2; exit 1; }

mkdir -p out
exec 8>"out/lock-$reader"
flock -n 8 || { echo "run.sh: a campaign of $reader is running (tools/fuzz/out/lock-$reader)" >&2; exit 1; }
# The build is shared: a second campaign waits while the first one builds.
exec 9>out/lock
flock 9

if [[ ${FUZZ_REBUILD:-1} != 0 || ! -f out/harness/Dendrite.Fuzz.Harness.dll ]]; then
  [[ -x out/tools/sharpfuzz ]] || dotnet tool install --tool-path out/tools SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  rm -rf out/harness
  # Its own artifacts folder: building here never touches the obj/ folders that the test build uses.
  nice -n 19 dotnet publish Harness -c Release -o out/harness --artifacts-path out/artifacts >/dev/null
  # Only the library is instrumented: coverage of the readers, not of the harness or the runtime.
  out/tools/sharpfuzz out/harness/Dendrite.dll
fi
# Each campaign runs its own copy, so a later rebuild never changes a running campaign's program.
rm -rf "out/run-$reader"
cp -r out/harness "out/run-$reader"
flock -u 9

findings=out/findings/$reader
rm -rf "$findings"
scratch=out/scratch/$reader
mkdir -p "$findings" "$scratch"
export AFL_SKIP_CPUFREQ=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_MAP_SIZE=65536 AFL_TESTCACHE_SIZE=50
export DOTNET_GCHeapHardLimit=${FUZZ_HEAP_LIMIT:-0x40000000} DOTNET_TieredPGO=0 DENDRITE_FUZZ_TMP=$PWD/$scratch
start=$(date +%s)
nice -n 19 afl-fuzz -i "corpus/$reader" -o "$findings" -t "${FUZZ_TIMEOUT_MS:-2000}" -m none -V $((minutes * 60)) \
  -- dotnet "out/run-$reader/Dendrite.Fuzz.Harness.dll" "$reader" >"$findings/afl.log" 2>&1 || {
  echo "run.sh: afl-fuzz failed; the end of $findings/afl.log:" >&2
  tail -20 "$findings/afl.log" >&2
  exit 1
}
rm -f "$scratch"/dendrite-fuzz-*

stats=$findings/default/fuzzer_stats
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' | wc -l)
wall=$((($(date +%s) - start) / 60))
printf '%s\t%s\t%s min\t%s execs\t%s/s\tedges %s\tbitmap %s\tcorpus %s\tcrashes %s\thangs %s\n' \
  "$(date -u +%FT%TZ)" "$reader" "$wall" "$(get execs_done)" "$(get execs_per_sec)" "$(get edges_found)" \
  "$(get bitmap_cvg)" "$(get corpus_count)" "$crashes" "$hangs" | tee -a out/campaigns.tsv
