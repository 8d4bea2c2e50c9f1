#!/usr/bin/env bash
# Idle node footprint, one command: publishes mesh (ReadyToRun, as run.sh), starts a hub on loopback and then one node
# at a time under each runtime variant, and prints the node's start → ready time and its memory after SETTLE seconds
# idle (VmRSS, and from /proc/PID/smaps_rollup: Pss, shared clean = mapped framework files, private dirty).
set -euo pipefail
cd "$(dirname "$0")/.."
settle=${SETTLE:-45}
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o .mesh/bench-bin/mesh -nologo -v:q -clp:NoSummary
mesh=.mesh/bench-bin/mesh/mesh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
web=$(port); grpc=$(port)
cat >"$work/mesh.toml" <<TOML
[server]
listen = "127.0.0.1:$web"
data_dir = "$work/hub"
embedded_node = false
[internal_grpc]
listen = "127.0.0.1:$grpc"
[internal_grpc.bootstrap]
token = "Kx9vQ2mT7wR4yU1iO8pA5sD3fG6hJ0kL-footprint"
[hub]
target = "https://127.0.0.1:$grpc"
[node]
local_listen = "127.0.0.1:0"
TOML
$mesh run --config "$work/mesh.toml" >"$work/hub.log" 2>&1 &
until grep -q "mesh hub ready" "$work/hub.log"; do sleep 0.2; done
token=$($mesh cluster-token --config "$work/mesh.toml")
echo "machine: $(nproc) cores, $(uname -r), .NET $(dotnet --list-runtimes | grep NETCore | tail -1 | cut -d' ' -f2); idle $settle s"
printf '%-44s %9s %8s %8s %13s %13s\n' variant ready_ms rss_MiB pss_MiB shared_clean private_dirty
run_variant() {
  local name=$1; shift
  local n=$((++count))
  local start=$(date +%s%N)
  env "$@" MESH_SERVER__NODE_ID="fp-$n" MESH_SERVER__DATA_DIR="$work/node-$n" MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN="$token" \
    $mesh run --node-mode --config "$work/mesh.toml" >"$work/node-$n.log" 2>&1 &
  local pid=$!
  until grep -q "mesh node ready" "$work/node-$n.log"; do sleep 0.01; done
  local ready=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep "$settle"
  local rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  read -r pss sc pd < <(awk '/^Pss:/ {p=$2} /^Shared_Clean/ {s=$2} /^Private_Dirty/ {d=$2} END {print p, s, d}' /proc/$pid/smaps_rollup)
  printf '%-44s %9d %8.1f %8.1f %13.1f %13.1f\n' "$name" "$ready" "$(echo "$rss/1024" | bc -l)" "$(echo "$pss/1024" | bc -l)" "$(echo "$sc/1024" | bc -l)" "$(echo "$pd/1024" | bc -l)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
count=0
run_variant "default (workstation GC, ReadyToRun)" X=1
run_variant "DOTNET_GCgen0size=0x100000 (1 MiB gen0)" DOTNET_GCgen0size=0x100000
run_variant "DOTNET_GCHeapHardLimit=0x1000000 (16 MiB)" DOTNET_GCHeapHardLimit=0x1000000
run_variant "DOTNET_GCConserveMemory=9" DOTNET_GCConserveMemory=9
run_variant "DOTNET_TieredCompilation=0" DOTNET_TieredCompilation=0
run_variant "DOTNET_TieredPGO=0 + DOTNET_TC_QuickJitForLoops=1" DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1
run_variant "DOTNET_ReadyToRun=0 (JIT everything)" DOTNET_ReadyToRun=0
run_variant "gen0 1 MiB + ConserveMemory + TieredPGO=0" DOTNET_GCgen0size=0x100000 DOTNET_GCConserveMemory=9 DOTNET_TieredPGO=0
