#!/usr/bin/env bash
# Idle node footprint, one command. Publishes mesh as run.sh does (framework-dependent, ReadyToRun) and as a
# self-contained composite ReadyToRun, and the node-only Native AOT build of bench/NodeAot (not shipped: it has no
# hub). Starts a hub on loopback, then one node at a time per variant the way a systemd unit starts it: the published
# binary, `run --config node.toml` (role "node" in the file), a clean environment (env -i) plus the variant's
# variables. Prints the node's start → ready time (process start to its "mesh node ready" line: enrolled, session up)
# and its memory after SETTLE seconds idle with no agents: VmRSS, and from /proc/PID/smaps_rollup Pss, shared clean
# (mapped files, shared with other processes that map them) and private dirty. SKIP_PUBLISH=1 reuses .mesh/bench-bin;
# VARIANTS=REGEX runs only the variants whose name matches (e.g. VARIANTS='default|one binary').
set -euo pipefail
cd "$(dirname "$0")/.."
settle=${SETTLE:-45}
bin=.mesh/bench-bin
publish() { dotnet publish "$@" -c Release -r linux-x64 -nologo -v:q -clp:NoSummary; }
if [[ -z ${SKIP_PUBLISH:-} ]]; then
  publish src/Mesh --self-contained false -p:PublishReadyToRun=true -o $bin/mesh
  publish src/Mesh --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o $bin/mesh-sc-composite
  # Trimming warns about the hub (MVC, reflection JSON) and the trimmed hub does not start; measured for the node only.
  publish src/Mesh --self-contained true -p:PublishTrimmed=true -p:TrimMode=partial -p:PublishReadyToRun=true -p:TreatWarningsAsErrors=false -o $bin/mesh-sc-trimmed >/dev/null
  publish bench/NodeAot -o $bin/node-aot
  publish bench/NodeAot -p:NodeAotGen0Budget=100000 -o $bin/node-aot-gen0
  publish bench/NodeAot -p:NodeAotGen0Budget=100000 -p:NodeAotSize=true -o $bin/node-aot-size
  # The whole mesh (hub and node) as Native AOT, gen0 budget and size as the node-only build's best. Its trim/AOT
  # warnings (the hub's REST JSON, docs/benchmarks.md) do not stop the bench: it measures the node role.
  publish src/Mesh -p:PublishAot=true -p:MeshGen0Budget=100000 -p:OptimizationPreference=Size -p:TreatWarningsAsErrors=false -o $bin/mesh-aot >/dev/null
fi
mesh=$bin/mesh/mesh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
web=$(port); grpc=$(port)
cat >"$work/hub.toml" <<TOML
[server]
listen = "127.0.0.1:$web"
data_dir = "$work/hub"
embedded_node = false
[internal_grpc]
listen = "127.0.0.1:$grpc"
[internal_grpc.bootstrap]
token = "Kx9vQ2mT7wR4yU1iO8pA5sD3fG6hJ0kL-footprint"
TOML
: >"$work/hub.log"
$mesh run --config "$work/hub.toml" >"$work/hub.log" 2>&1 &
hub=$!
until grep -q "mesh hub ready" "$work/hub.log"; do sleep 0.2; done
token=$($mesh cluster-token --config "$work/hub.toml")
metrics_token=Footprint-metrics-token-0123456789-abcdefgh
echo "machine: $(nproc) cores, $(uname -r), .NET $(dotnet --list-runtimes | grep NETCore | tail -1 | cut -d' ' -f2); idle $settle s"
printf '%-58s %9s %8s %8s %13s %13s\n' variant ready_ms rss_MiB pss_MiB shared_clean private_dirty
# run_variant NAME BINARY EXTRA_TOML [VAR=VALUE...]
run_variant() {
  local name=$1 binary=$2 extra=$3; shift 3
  local n=$((++count))
  [[ $name =~ ${VARIANTS:-.} ]] || return 0
  printf '[server]\nrole = "node"\nnode_id = "fp-%s"\ndata_dir = "%s"\n[internal_grpc.bootstrap]\ntoken = "%s"\n[hub]\ntarget = "https://127.0.0.1:%s"\n[node]\nlocal_listen = "127.0.0.1:0"\n%b' \
    "$n" "$work/node-$n" "$token" "$grpc" "$extra" >"$work/node-$n.toml"
  : >"$work/node-$n.log"
  local start=$(date +%s%N)
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work" DOTNET_CLI_TELEMETRY_OPTOUT=1 "$@" \
    "$binary" run --config "$work/node-$n.toml" >"$work/node-$n.log" 2>&1 &
  local pid=$!
  until grep -q "mesh node ready" "$work/node-$n.log"; do
    kill -0 "$pid" 2>/dev/null || { echo "$name: the node exited:"; cat "$work/node-$n.log"; return 1; }
    sleep 0.01
  done
  local ready=$(( ($(date +%s%N) - start) / 1000000 ))
  if [[ $extra == *node_listen* ]]; then
    local url=$(grep -o 'mesh node metrics: [^ ]*' "$work/node-$n.log" | cut -d' ' -f4)
    curl -fsS -H "Authorization: Bearer $metrics_token" "$url" >/dev/null
  fi
  sleep "$settle"
  local rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  read -r pss sc pd < <(awk '/^Pss:/ {p=$2} /^Shared_Clean/ {s=$2} /^Private_Dirty/ {d=$2} END {print p, s, d}' /proc/$pid/smaps_rollup)
  printf '%-58s %9d %8.1f %8.1f %13.1f %13.1f\n' "$name" "$ready" "$(echo "$rss/1024" | bc -l)" "$(echo "$pss/1024" | bc -l)" "$(echo "$sc/1024" | bc -l)" "$(echo "$pd/1024" | bc -l)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
# restarts NAME N: starts node N (enrolled by its variant above) again RESTARTS times; prints the median start → ready.
restarts() {
  local name=$1 n=$2 binary=$3 times=() i
  [[ $name =~ ${VARIANTS:-.} ]] || return 0
  for ((i = 0; i < ${RESTARTS:-7}; i++)); do
    : >"$work/node-$n.log"
    local start=$(date +%s%N)
    env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work" DOTNET_CLI_TELEMETRY_OPTOUT=1 "$binary" run --config "$work/node-$n.toml" >"$work/node-$n.log" 2>&1 &
    local pid=$!
    until grep -q "mesh node ready" "$work/node-$n.log"; do sleep 0.01; done
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
  printf '%-58s restart → ready median %5d ms (%s), load average %s\n' "$name" \
    "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (${#times[@]} + 1) / 2 ))p")" "${times[*]}" "$(cut -d' ' -f1 /proc/loadavg)"
}
count=0
run_variant "mesh, framework-dependent ReadyToRun (default)" $mesh ""
run_variant "  + DOTNET_GCgen0size=0x100000 (1 MiB gen0)" $mesh "" DOTNET_GCgen0size=0x100000
run_variant "  + DOTNET_GCHeapHardLimit=0x1000000 (16 MiB)" $mesh "" DOTNET_GCHeapHardLimit=0x1000000
run_variant "  + DOTNET_GCConserveMemory=9" $mesh "" DOTNET_GCConserveMemory=9
run_variant "  + DOTNET_TieredCompilation=0" $mesh "" DOTNET_TieredCompilation=0
run_variant "  + DOTNET_TieredPGO=0 + DOTNET_TC_QuickJitForLoops=1" $mesh "" DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1
run_variant "  + DOTNET_ReadyToRun=0 (JIT everything)" $mesh "" DOTNET_ReadyToRun=0
run_variant "  + DOTNET_EnableWriteXorExecute=0" $mesh "" DOTNET_EnableWriteXorExecute=0
run_variant "  + gen0 1 MiB + ConserveMemory + TieredPGO=0 + W^X off" $mesh "" DOTNET_GCgen0size=0x100000 DOTNET_GCConserveMemory=9 DOTNET_TieredPGO=0 DOTNET_EnableWriteXorExecute=0
run_variant "  + [metrics] node_listen (exporter on, scraped once)" $mesh "[metrics]\nnode_listen = \"127.0.0.1:0\"\nnode_token = \"$metrics_token\"\n"
run_variant "mesh, self-contained composite ReadyToRun" $bin/mesh-sc-composite/mesh ""
run_variant "mesh, self-contained trimmed ReadyToRun (hub broken)" $bin/mesh-sc-trimmed/mesh ""
run_variant "node-only Native AOT (bench/NodeAot; no hub role)" $bin/node-aot/NodeAot ""
run_variant "node-only Native AOT, gen0 budget 1 MiB compiled in" $bin/node-aot-gen0/NodeAot ""
run_variant "node-only Native AOT, gen0 1 MiB, optimized for size" $bin/node-aot-size/NodeAot ""
run_variant "mesh Native AOT (one binary), gen0 1 MiB, size" $bin/mesh-aot/mesh ""
echo "hub (no embedded node, $count nodes enrolled, idle): VmRSS $(awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$hub/status) MiB"
restarts "mesh, framework-dependent ReadyToRun (default)" 1 $mesh
restarts "node-only Native AOT, gen0 1 MiB, optimized for size" $((count - 1)) $bin/node-aot-size/NodeAot
restarts "mesh Native AOT (one binary), gen0 1 MiB, size" $count $bin/mesh-aot/mesh
