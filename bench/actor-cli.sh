#!/usr/bin/env bash
# actor CLI start-up benchmark, one command: ./bench/actor-cli.sh
# Publishes mesh (ReadyToRun, as run.sh does) and the actor CLI twice — Native AOT (what run.sh and deployments ship)
# and framework-dependent ReadyToRun (JIT) — starts a hub with its embedded node in a temp dir, and times one
# `actor send` / `actor inbox` per run with hyperfine, side by side with `redis-cli XADD` / `XRANGE` against a local
# redis-server (the floor: a C client doing one round trip). Results go into docs/benchmarks.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
runs=${RUNS:-40}
for tool in hyperfine redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine redis-server curl python3)" >&2; exit 2; }
done

bin=.mesh/bench-bin
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o $bin/mesh -nologo -v:q -clp:NoSummary
dotnet publish src/ActorCli -c Release -r linux-x64 -o $bin/actor-aot -nologo -v:q -clp:NoSummary
dotnet publish src/ActorCli -c Release -r linux-x64 --self-contained false -p:PublishAot=false -p:PublishReadyToRun=true -o $bin/actor-jit -nologo -v:q -clp:NoSummary

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
web=$(free_port); grpc=$(free_port); local=$(free_port); redis=$(free_port)
api_token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')
cat >"$work/mesh.toml" <<EOF
[server]
role = "hub"
listen = "127.0.0.1:$web"
data_dir = "$work/data"

[internal_grpc]
listen = "127.0.0.1:$grpc"

[internal_grpc.security]
mode = "tls"
cert_dir = "$work/certs"

[node]
local_listen = "127.0.0.1:$local"

[admin]
api_token = "$api_token"
EOF
$bin/mesh/mesh run --config "$work/mesh.toml" >"$work/hub.log" 2>&1 &
pids+=($!)
redis-server --port "$redis" --save '' --appendonly no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$web/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$web/healthz" >/dev/null || { cat "$work/hub.log" >&2; exit 1; }
curl -sf -H "Authorization: Bearer $api_token" -H 'content-type: application/json' \
  -d '{"id":"bench-1","name":"Bench","placement":"main"}' "http://127.0.0.1:$web/api/admin/actors" >/dev/null
for _ in $(seq 1 100); do
  token=$($bin/mesh/mesh actor-token --config "$work/mesh.toml" --actor-id bench-1 --ttl 1h 2>/dev/null) && break
  sleep 0.1
done
export MESH_ACTOR_TOKEN=$token

# The agent's path: its node's loopback endpoint (h2c), an actor token.
local_env="MESH_GRPC_TARGET=http://127.0.0.1:$local"
# The hub-direct path: TLS to the hub, the hub's CA as the only trust anchor.
tls_env="MESH_GRPC_TARGET=https://127.0.0.1:$grpc MESH_CA_FILE=$work/certs/ca.crt"
echo "machine: $(nproc) cores, $(uname -r), $(dotnet --version)"
hyperfine -N --warmup 3 --runs "$runs" --style basic \
  -n "redis-cli XADD (floor)" "redis-cli -p $redis XADD bench '*' text hello" \
  -n "actor send, AOT, node endpoint" "env $local_env $bin/actor-aot/actor send --to-actor-id bench-1 --text hello" \
  -n "actor send, JIT, node endpoint" "env $local_env $bin/actor-jit/actor send --to-actor-id bench-1 --text hello" \
  -n "actor send, AOT, hub TLS" "env $tls_env $bin/actor-aot/actor send --to-actor-id bench-1 --text hello" \
  -n "actor send, JIT, hub TLS" "env $tls_env $bin/actor-jit/actor send --to-actor-id bench-1 --text hello"
hyperfine -N --warmup 3 --runs "$runs" --style basic \
  -n "redis-cli XRANGE COUNT 10 (floor)" "redis-cli -p $redis XRANGE bench - + COUNT 10" \
  -n "actor inbox, AOT, node endpoint" "env $local_env $bin/actor-aot/actor inbox --limit 10" \
  -n "actor inbox, JIT, node endpoint" "env $local_env $bin/actor-jit/actor inbox --limit 10"
for build in aot jit; do
  rss=$(env $local_env /usr/bin/time -f %M $bin/actor-$build/actor send --to-actor-id bench-1 --text hello 2>&1 >/dev/null | tail -1)
  echo "actor send, $build, node endpoint: peak RSS $((rss / 1024)) MiB"
done
rss=$(/usr/bin/time -f %M redis-cli -p $redis XADD bench '*' text hello 2>&1 >/dev/null | tail -1)
echo "redis-cli XADD: peak RSS $((rss / 1024)) MiB"
ls -l $bin/actor-aot/actor | awk '{printf "actor AOT binary: %.1f MiB\n", $5/1048576}'
du -sb $bin/actor-jit | awk '{printf "actor JIT folder: %.1f MiB (needs the .NET runtime)\n", $1/1048576}'
