#!/usr/bin/env bash
# Runs `dendrite train` as two "hosts" on this machine: two network namespaces joined by a veth pair
# (10.77.0.1 and 10.77.0.2, nothing else: no route out, loopback inside each), one MPI rank in each. Open MPI's
# TCP transport is the only one allowed between the ranks (no shared memory), on the veth addresses only, so
# every gradient crosses the link; the link's byte counters are printed at the end. Needs root (or
# CAP_NET_ADMIN) and iproute2; sets everything up and tears it down, also on failure or Ctrl+C.
#
#   tools/distributed/two_hosts.sh [dendrite train options]   (default: LeNet-5 on data/mnist-sample, 2 epochs)
set -euo pipefail
cd "$(dirname "$0")/../.."

A=dendrite-a B=dendrite-b
cli=src/Dendrite.Cli/bin/Release/net10.0/Dendrite.Cli.dll
[[ -f $cli ]] || dotnet build -c Release src/Dendrite.Cli >/dev/null
args=("$@")
((${#args[@]})) || args=(--model lenet5 --data data/mnist-sample --epochs 2 --optimizer momentum --lr 0.05)
out=""

teardown() {
  ip netns del "$A" 2>/dev/null || true   # deleting a namespace deletes its end of the veth, and so the pair
  ip netns del "$B" 2>/dev/null || true
  [[ -z $out ]] || rm -rf "$out"
}
trap teardown EXIT
teardown
out=$(mktemp -d)

ip netns add "$A"
ip netns add "$B"
ip link add dnd0 netns "$A" type veth peer name dnd0 netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev dnd0
ip -n "$B" addr add 10.77.0.2/24 dev dnd0
for ns in "$A" "$B"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set dnd0 up
done
echo "two_hosts: $A has 10.77.0.1 and $B 10.77.0.2 on the two ends of one veth pair (dnd0); no other link"

# mpirun runs inside $A, so 10.77.0.1 is its own host; it reaches "host" 10.77.0.2 through an rsh agent that
# enters $B instead of logging in over ssh. The daemon there calls back over the veth, and the ranks exchange
# data with the TCP transport over dnd0 alone (btl tcp,self: no shared-memory shortcut). Each namespace gets
# its own host name (UTS namespace), as two machines would have.
agent="$out/netns-rsh"
cat >"$agent" <<AGENT
#!/bin/sh
# Open MPI calls: netns-rsh HOST COMMAND...; HOST 10.77.0.2 is the namespace $B.
shift
exec ip netns exec $B unshare --uts sh -c "hostname dendrite-host-b; \$*"
AGENT
chmod +x "$agent"
printf '10.77.0.1 slots=1\n10.77.0.2 slots=1\n' >"$out/hosts"

ip netns exec "$A" unshare --uts sh -c 'hostname dendrite-host-a; exec "$@"' sh \
  mpirun --allow-run-as-root -np 2 --hostfile "$out/hosts" --map-by node \
    --mca plm_rsh_agent "$agent" --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
    -x DENDRITE_NUM_THREADS=1 \
    dotnet "$PWD/$cli" train "${args[@]}" --out "$out/run"

for ns in "$A" "$B"; do
  read -r rx tx < <(ip -n "$ns" -s -j link show dnd0 | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats64"]; print(s["rx"]["bytes"], s["tx"]["bytes"])')
  echo "two_hosts: $ns dnd0 received $rx bytes, sent $tx bytes"
done
