#!/usr/bin/env bash
# Runs every test: the README's test command, and all that CI (.ci/run) runs.
#
# First installs, through apt-get, the Debian packages some tests call out to, when they are missing (nothing
# is installed, and apt-get is not even updated, when all are there). Then `dotnet test -c Release`, with any
# arguments passed on:  tools/test.sh --filter "FullyQualifiedName~Dendrite.Tests.NN"
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian packages the tests need, one per line.
packages=(
  python3-onnx     # onnx.checker validates exported models (Serialization/OnnxExportTests, via /usr/bin/python3)
  chromium         # browser tests of the playground (Playwright driving /usr/bin/chromium)
  openmpi-bin      # distributed training under mpirun
  libopenmpi-dev
  jupyter-nbconvert  # runs the course notebooks (Course/NotebookTests) with the .NET Interactive kernel below
  jupyter-client
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    # "ii" = installed; anything else (not known, removed, half-configured) counts as missing.
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" == ii* ]] || missing+=("$p")
  done
else
  echo "tools/test.sh: not a Debian system (no dpkg-query); tests that need ${packages[*]} may fail" >&2
fi

if ((${#missing[@]})); then
  as_root=()
  if ((EUID != 0)); then
    # sudo only where it can ask for a password or needs none; otherwise say what to run and carry on:
    # the tests that need a missing package then fail or note it themselves.
    if command -v sudo >/dev/null 2>&1 && { [[ -t 0 ]] || sudo -n true 2>/dev/null; }; then
      as_root=(sudo)
    else
      echo "tools/test.sh: missing ${missing[*]}; install with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
      missing=()
    fi
  fi
fi

if ((${#missing[@]})); then
  echo "tools/test.sh: installing ${missing[*]} (apt-get)"
  log=$(mktemp)
  start=$SECONDS
  # Waits for another apt/dpkg run to release its lock instead of failing at once.
  apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600)
  if ! { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "tools/test.sh: apt-get could not install ${missing[*]} (its output is above)" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  echo "tools/test.sh: installed in $((SECONDS - start)) s"
fi

# The .NET Interactive kernel that runs the course notebooks, a NuGet tool kept in the repository's .tools/ (ignored by
# git) so nothing is registered in the user's Jupyter; installed once, when missing.
interactive_version=1.0.712001
if [[ ! -x .tools/dotnet-interactive ]]; then
  echo "tools/test.sh: installing Microsoft.dotnet-interactive $interactive_version into .tools/ (dotnet tool)"
  dotnet tool install --tool-path .tools Microsoft.dotnet-interactive --version "$interactive_version" >/dev/null ||
    echo "tools/test.sh: could not install Microsoft.dotnet-interactive; the course notebooks will not be executed" >&2
fi

exec dotnet test -c Release "$@"
