#!/usr/bin/env bash
# The peak resident memory of a process at the moment it prints a line: runs COMMAND (which must be the process
# itself, e.g. `dotnet app.dll`, not `dotnet run`, which starts it as a child), passes its output through, and when
# a line matches PATTERN reads the process's high-water mark (VmHWM in /proc/PID/status: the most it has held so
# far). Prints {"bench": NAME, "engine": ENGINE, "threads": T, "max_rss_mb": MiB} (T from --threads in COMMAND).
#
# Why: the anchors' cnn run trains and then runs batch-256 inference on two engines in one process, so the
# process's final peak (/usr/bin/time) is not its training's; Dendrite reports its own cnn_peak_rss right after
# training. Reading the anchor's mark when it prints cnn_train compares training with training.
#
# usage: tools/bench/peak_at_line.sh NAME ENGINE PATTERN COMMAND...
#   e.g. tools/bench/peak_at_line.sh cnn_train_peak_rss torchsharp '"cnn_train"' \
#          dotnet /tmp/dotnet-anchors/bin/Release/net10.0/dotnet-anchors.dll --threads 1 --only cnn
set -euo pipefail
name=${1:?usage: peak_at_line.sh NAME ENGINE PATTERN COMMAND...}
engine=${2:?}; pattern=${3:?}; shift 3
threads=1
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do [[ ${args[i]} == --threads ]] && threads=${args[i + 1]}; done

fifo=$(mktemp -u)
mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
"$@" > "$fifo" &
pid=$!
mark=""
while IFS= read -r line; do
  printf '%s\n' "$line"
  if [[ -z $mark && $line == *$pattern* ]]; then
    # Read at once: what the process does next (both programs time batch-1 inference first, small tensors for
    # half a second) has barely begun.
    mark=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
  fi
done < "$fifo"
wait "$pid"
if [[ -z $mark ]]; then
  echo "peak_at_line.sh: no line matched $pattern" >&2
  exit 1
fi
echo "{\"bench\": \"$name\", \"engine\": \"$engine\", \"threads\": $threads, \"max_rss_mb\": $((mark / 1024))}"
