#!/usr/bin/env bash
# Smoke test of the Mesh image (deploy/container/build.sh builds it): a hub container and a node container started with
# podman from deploy/kubernetes/mesh.toml — the one ConfigMap of the Kubernetes manifests, plus an [admin] api_token —
# over real TLS (mode mtls); the node joins with the cluster token read from the running hub, as docs/deploy.md tells
# operators. Checks that the node is online in GET /api/admin/agent-nodes, that the actor CLI runs in the node container,
# that a container without MESH_SERVER__NODE_ID exits 2 naming it, and that tini reaps orphaned processes. Removes
# everything it made; on any failure prints the containers' logs and exits 1.
#
#   sudo deploy/container/smoke.sh                       # image: $MESH_IMAGE, default localhost/mesh:dev
#   MESH_SMOKE_IDLE_SECONDS=45 deploy/container/smoke.sh  # also wait, then report the idle node's memory
#
# Both containers use the host's network and listen on 127.0.0.1 only, on free ports (what the Kubernetes Service gives
# as a name is the loopback address here): no bridge, no address beyond loopback. Prints one "smoke:" line per step
# and the measured start-to-ready times.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

image=${MESH_IMAGE:-localhost/mesh:dev}
idle=${MESH_SMOKE_IDLE_SECONDS:-0}
prefix=mesh-smoke-$$
hub=$prefix-hub
node=$prefix-node
node_id=smoke-node-1
api_token=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | cut -c1-40)
# The hub's cluster secret goes into the token nodes join with, whose secret part must be base64url: `openssl rand
# -base64 32` (what secret.yaml suggests) gives '+', '/' and '=' and a token the node refuses as malformed.
cluster_secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
work=$(mktemp -d)
failed=

say() { printf 'smoke: %s\n' "$*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

cleanup() {
  local status=$?
  if [ -n "$failed" ] || [ "$status" -ne 0 ]; then
    for c in "$hub" "$node" "$prefix-bad"; do
      podman container exists "$c" 2>/dev/null || continue
      echo "----- podman logs $c -----" >&2
      podman logs "$c" >&2 2>&1 || true
    done
  fi
  podman rm -f -t 5 "$hub" "$node" "$prefix-bad" >/dev/null 2>&1 || true
  podman volume rm -f "$prefix-hub-data" "$prefix-node-data" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$status" -eq 0 ] && [ -z "$failed" ] || exit 1
}
trap cleanup EXIT
fail() { failed=1; printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }

command -v podman >/dev/null || fail "podman is not installed (apt-get install podman)"
podman image exists "$image" || fail "no image $image: build it with deploy/container/build.sh"

# Podman asks the runtime for nofile=1048576 and nproc=4194304; a host without CAP_SYS_RESOURCE (such as this sandbox)
# refuses to raise them, so ask for what the host allows. crun refuses hybrid cgroup v1/v2 hosts: runc where installed.
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
nproc=$(ulimit -Hu); pid_max=$(cat /proc/sys/kernel/pid_max)
if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; then nproc=$pid_max; fi
run_opts=(--network host --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
if [ -n "${MESH_OCI_RUNTIME:-}" ]; then run_opts+=(--runtime "$MESH_OCI_RUNTIME")
elif command -v runc >/dev/null; then run_opts+=(--runtime runc); fi

free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}
read -r web grpc hub_health node_health node_local <<<"$(free_ports 5)"

# The ConfigMap's mesh.toml as is, plus the admin token this script polls the REST API with.
mkdir -p "$work/etc"
cp "$repo/deploy/kubernetes/mesh.toml" "$work/etc/mesh.toml"
printf '\n[admin]\napi_token = "%s"\n' "$api_token" >> "$work/etc/mesh.toml"
chown -R 10001:10001 "$work/etc"
chmod 0750 "$work/etc" && chmod 0640 "$work/etc/mesh.toml"

# Wait for a line in a container's output; sets ready_ms (from $2, ms since the epoch, to the line) and process_ms
# (from the container process's start to the line).
wait_for_line() {
  local container=$1 since=$2 pattern=$3 deadline=$(( $(date +%s) + 90 ))
  while ! podman logs "$container" 2>&1 | grep -qF -- "$pattern"; do
    [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] \
      || fail "$container exited ($(podman inspect --format '{{.State.ExitCode}}' "$container")) before printing '$pattern'"
    [ "$(date +%s)" -lt "$deadline" ] || fail "$container did not print '$pattern' within 90 s"
    sleep 0.05
  done
  # The line's own timestamp (conmon's), against the container process's start and the podman run command.
  local stamp started
  stamp=$(podman logs -t "$container" 2>&1 | grep -F -- "$pattern" | head -n1 | cut -d' ' -f1)
  started=$(podman inspect --format '{{.State.StartedAt.UnixNano}}' "$container")
  ready_ms=$(( $(date -d "$stamp" +%s%N) / 1000000 - since ))
  process_ms=$(( $(date -d "$stamp" +%s%N) / 1000000 - started / 1000000 ))
}

hub_env=(
  -e MESH_SERVER__LISTEN="127.0.0.1:$web"
  -e MESH_INTERNAL_GRPC__LISTEN="127.0.0.1:$grpc"
  -e MESH_INTERNAL_GRPC__HEALTH_LISTEN="127.0.0.1:$hub_health"
  -e MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN="$cluster_secret"
)

# 1. The hub, as the Deployment runs it: the image's own command, its state on a volume.
say "hub: podman run $image (web 127.0.0.1:$web, gRPC 127.0.0.1:$grpc)"
t0=$(now_ms)
podman run -d --name "$hub" "${run_opts[@]}" -v "$work/etc:/etc/mesh:ro" -v "$prefix-hub-data:/var/lib/mesh" \
  "${hub_env[@]}" "$image" >/dev/null
wait_for_line "$hub" "$t0" "mesh hub ready: "
hub_ready=$ready_ms hub_process_ready=$process_ms
say "hub ready: ${hub_ready} ms after podman run (${hub_process_ready} ms after the process started)"

# 2. The token nodes join with, read from the running hub (docs/deploy.md, step 4).
token=$(podman exec "$hub" mesh cluster-token --config /etc/mesh/mesh.toml) || fail "mesh cluster-token failed in the hub container"
case "$token" in mesh1.*) ;; *) fail "cluster-token printed '$token'";; esac

# 3. A node, as the DaemonSet runs it: run --node-mode with the same mesh.toml, its id and token from the environment.
node_env=(
  -e MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN="$token"
  -e MESH_HUB__TARGET="https://127.0.0.1:$grpc"
  -e MESH_INTERNAL_GRPC__HEALTH_LISTEN="127.0.0.1:$node_health"
  -e MESH_NODE__LOCAL_LISTEN="127.0.0.1:$node_local"
)
say "node: podman run $image run --node-mode (node id $node_id)"
t0=$(now_ms)
podman run -d --name "$node" "${run_opts[@]}" -v "$work/etc:/etc/mesh:ro" -v "$prefix-node-data:/var/lib/mesh" \
  -e MESH_SERVER__NODE_ID="$node_id" "${node_env[@]}" "$image" run --node-mode --config /etc/mesh/mesh.toml >/dev/null
wait_for_line "$node" "$t0" "mesh node ready: node $node_id"
node_ready=$ready_ms node_process_ready=$process_ms
say "node ready (joined, certificate issued): ${node_ready} ms after podman run (${node_process_ready} ms after the process started)"

# 4. The hub lists it online.
deadline=$(( $(date +%s) + 30 ))
until curl -fsS -H "Authorization: Bearer $api_token" "http://127.0.0.1:$web/api/admin/agent-nodes" \
    | python3 -c 'import json,sys; sys.exit(0 if any(n["id"] == sys.argv[1] and n["status"] == "online" for n in json.load(sys.stdin)["nodes"]) else 1)' "$node_id" 2>/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "node $node_id is not online in GET /api/admin/agent-nodes: $(curl -sS -H "Authorization: Bearer $api_token" "http://127.0.0.1:$web/api/admin/agent-nodes")"
  sleep 0.2
done
say "GET /api/admin/agent-nodes: $node_id online"

# 5. The actor CLI in the node container, as an agent there uses it: an actor placed on this node, a message to it from
#    the REST API, a token minted by the node (mesh actor-token), and `actor inbox` through the node's local endpoint,
#    which relays to the hub over the node's mTLS session.
api() { curl -fsS -H "Authorization: Bearer $api_token" -H 'Content-Type: application/json' "$@"; }
podman exec "$node" actor --help >/dev/null || fail "actor --help failed in the node container"
say "node container: actor --help exits 0"
api -d "{\"id\":\"smoke-agent\",\"placement\":\"$node_id\"}" "http://127.0.0.1:$web/api/admin/actors" >/dev/null \
  || fail "POST /api/admin/actors (placement $node_id) failed"
api -d '{"to_actor_id":"smoke-agent","text":"hello from smoke.sh"}' "http://127.0.0.1:$web/api/admin/messages" >/dev/null \
  || fail "POST /api/admin/messages failed"
actor_token=$(podman exec "$node" mesh actor-token --node-mode --config /etc/mesh/mesh.toml --actor-id smoke-agent) \
  || fail "mesh actor-token failed in the node container"
podman exec -e MESH_ACTOR_TOKEN="$actor_token" -e MESH_GRPC_TARGET="http://127.0.0.1:$node_local" "$node" \
  actor inbox --json >"$work/inbox.json" 2>&1 || fail "actor inbox in the node container failed: $(cat "$work/inbox.json")"
grep -qF 'hello from smoke.sh' "$work/inbox.json" || fail "actor inbox did not show the message: $(cat "$work/inbox.json")"
say "node container: actor inbox (node-minted token, local endpoint) shows the message sent through the hub"

# 6. tini reaps an orphan: a process whose parent exited is re-parented to PID 1, which must wait for it.
podman exec "$node" sh -c 'sleep 1 & exit 0'
sleep 2
zombies=$(podman exec "$node" sh -c 'for s in /proc/[0-9]*/stat; do read -r line < "$s" 2>/dev/null && set -- $line && [ "$3" = Z ] && echo "$2"; done; true')
[ -z "$zombies" ] || fail "zombie processes in the node container: $zombies"
say "node container: an orphaned process was reaped (no zombie)"

# 7. Bad input: a node container without MESH_SERVER__NODE_ID stops at once with exit 2 naming the variable.
set +e
bad_output=$(podman run --name "$prefix-bad" "${run_opts[@]}" -v "$work/etc:/etc/mesh:ro" "${node_env[@]}" \
  "$image" run --node-mode --config /etc/mesh/mesh.toml 2>&1)
bad_status=$?
set -e
[ "$bad_status" -eq 2 ] || fail "a node container without MESH_SERVER__NODE_ID exited $bad_status, not 2: $bad_output"
grep -qF MESH_SERVER__NODE_ID <<<"$bad_output" || fail "the exit message does not name MESH_SERVER__NODE_ID: $bad_output"
say "node container without MESH_SERVER__NODE_ID: exit 2, '$(grep -F MESH_SERVER__NODE_ID <<<"$bad_output" | head -n1)'"
podman rm -f "$prefix-bad" >/dev/null

# 8. Optionally: the idle node's memory, as podman and the kernel see it.
if [ "$idle" -gt 0 ]; then
  sleep "$idle"
  stats=$(podman stats --no-stream --format '{{.MemUsage}}' "$node" 2>&1 || true)
  pid=$(podman inspect --format '{{.State.Pid}}' "$node")
  mesh_pid=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null | cut -d' ' -f1)
  rss=$(awk '/^VmRSS/ {print $2, $3}' "/proc/${mesh_pid:-$pid}/status")
  hub_stats=$(podman stats --no-stream --format '{{.MemUsage}}' "$hub" 2>&1 || true)
  say "idle ${idle} s: node container memory (podman stats) $stats, mesh process VmRSS $rss; hub container $hub_stats"
fi

# 9. podman stop sends SIGTERM to tini, which passes it to mesh: both stop gracefully with exit 0, well before the
#    10 s after which podman would kill them.
for c in "$node" "$hub"; do
  t0=$(now_ms)
  podman stop -t 10 "$c" >/dev/null
  code=$(podman inspect --format '{{.State.ExitCode}}' "$c")
  [ "$code" -eq 0 ] || fail "$c exited $code on SIGTERM"
  say "$c: SIGTERM -> exit 0 in $(( $(now_ms) - t0 )) ms"
done

say "passed: hub ready ${hub_ready} ms, node ready ${node_ready} ms after podman run"
