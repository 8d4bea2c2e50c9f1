#!/usr/bin/env bash
# Smoke check of the one `mesh` binary published as Native AOT (issue 17 item 8): it starts as a hub (the login page
# with its antiforgery field, /healthz) and as a node that joins that hub and reports ready. Publishing takes 2.5-5 min
# on 2 cores, so this is not part of ./test.sh (docs/benchmarks.md). AOT_BIN=path/to/mesh skips the publish.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${AOT_BIN:-}
if [[ -z $bin ]]; then
  dotnet publish src/Mesh -c Release -r linux-x64 -p:PublishAot=true -p:MeshGen0Budget=100000 -p:OptimizationPreference=Size \
    -p:TreatWarningsAsErrors=false -o .mesh/aot -nologo -v:q -clp:NoSummary >/dev/null
  bin=.mesh/aot/mesh
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# ready PID LOG LINE: waits up to 10 s for LINE in LOG while PID runs.
ready() {
  for _ in $(seq 100); do grep -q "$3" "$2" && return 0; kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  echo "no '$3':"; cat "$2"; exit 1
}
web=$(port); grpc=$(port)
printf '[server]\nlisten = "127.0.0.1:%s"\ndata_dir = "%s/hub"\nembedded_node = false\n[internal_grpc]\nlisten = "127.0.0.1:%s"\n[internal_grpc.bootstrap]\ntoken = "Kx9vQ2mT7wR4yU1iO8pA5sD3fG6hJ0kL-aotsmoke"\n' \
  "$web" "$work" "$grpc" >"$work/hub.toml"
"$bin" run --config "$work/hub.toml" >"$work/hub.log" 2>&1 &
ready $! "$work/hub.log" "mesh hub ready"
curl -fsS "http://127.0.0.1:$web/healthz" | grep -qx ok || { echo "hub: /healthz"; exit 1; }
curl -fsS "http://127.0.0.1:$web/login" | grep -q 'name="__RequestVerificationToken"' || { echo "hub: login page"; exit 1; }
echo "hub ok: ready, /healthz, login page"
token=$("$bin" cluster-token --config "$work/hub.toml")
printf '[server]\nrole = "node"\nnode_id = "aot-smoke"\ndata_dir = "%s/node"\n[internal_grpc.bootstrap]\ntoken = "%s"\n[hub]\ntarget = "https://127.0.0.1:%s"\n[node]\nlocal_listen = "127.0.0.1:0"\n' \
  "$work" "$token" "$grpc" >"$work/node.toml"
"$bin" run --config "$work/node.toml" >"$work/node.log" 2>&1 &
ready $! "$work/node.log" "mesh node ready"
echo "node ok: joined the AOT hub and ready"
