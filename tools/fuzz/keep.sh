#!/usr/bin/env bash
# tools/fuzz/keep.sh READER — after a campaign, keeps afl's interesting inputs as corpus files: the queue
# entries that reached new coverage (+cov), up to 4 KB, at most 60 (the smallest), as corpus/READER/afl-<sha1 prefix>.
# (afl-cmin would pick a minimal set, but afl-showmap 4.04c cannot drive SharpFuzz's persistent fork server.)
set -euo pipefail
cd "$(dirname "$0")"
reader=${1:?usage: tools/fuzz/keep.sh READER}
queue=out/findings/$reader/default/queue
[[ -d $queue ]] || { echo "keep.sh: no campaign findings in $queue" >&2; exit 1; }
mkdir -p "corpus/$reader"
kept=0
while IFS= read -r file; do
  # Named by content: ids restart with every campaign, so an id would overwrite an earlier campaign's input.
  hash=$(sha1sum "$file" | cut -c1-12)
  cp "$file" "corpus/$reader/afl-$hash"
  kept=$((kept + 1))
done < <(find "$queue" -maxdepth 1 -type f -name '*+cov*' -size -4097c -printf '%s %p\n' | sort -n | head -60 | cut -d' ' -f2-)
echo "kept $kept inputs in tools/fuzz/corpus/$reader/"
