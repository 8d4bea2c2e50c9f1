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
  podman rm -f -v -t 5 "$hub" "$node" "$prefix-bad" >/dev/null 2>&1 || true
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
# As the manifests' securityContext: no capabilities, no privilege escalation (the hub also gets a read-only root with
# a tmpfs /tmp, below, as hub.yaml's readOnlyRootFilesystem and emptyDir).
run_opts=(--network host --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" --cap-drop ALL --security-opt no-new-privileges)
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

# Wait until a container has printed a line $3 times; sets ready_ms (from $2, ms since the epoch, to that line, by
# conmon's timestamp of it) and process_ms (from the container process's start to it).
wait_for_line() {
  local container=$1 since=$2 pattern=$3 count=${4:-1} deadline=$(( $(date +%s) + 90 ))
  while [ "$(podman logs "$container" 2>&1 | grep -cF -- "$pattern")" -lt "$count" ]; do
    [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] \
      || fail "$container exited ($(podman inspect --format '{{.State.ExitCode}}' "$container")) before printing '$pattern'"
    [ "$(date +%s)" -lt "$deadline" ] || fail "$container did not print '$pattern' within 90 s"
    sleep 0.05
  done
  local stamp started
  stamp=$(podman logs -t "$container" 2>&1 | grep -F -- "$pattern" | sed -n "${count}p" | cut -d' ' -f1)
  stamp=$(( $(date -d "$stamp" +%s%N) / 1000000 ))
  started=$(podman inspect --format '{{.State.StartedAt.UnixNano}}' "$container")
  ready_ms=$(( stamp - since ))
  process_ms=$(( stamp - started / 1000000 ))
}

# Start a container ($1 name, $2 its state volume, $3 the line that says it is ready, then podman run's arguments) and
# wait for that line.
start() {
  local name=$1 volume=$2 pattern=$3 t0
  shift 3
  t0=$(now_ms)
  podman run -d --name "$name" "${run_opts[@]}" -v "$work/etc:/etc/mesh:ro" -v "$volume:/var/lib/mesh" "$@" >/dev/null
  wait_for_line "$name" "$t0" "$pattern"
}

# 1. The hub, as the Deployment runs it: the image's own command, its state on a volume.
say "hub: podman run $image (web 127.0.0.1:$web, gRPC 127.0.0.1:$grpc)"
start "$hub" "$prefix-hub-data" "mesh hub ready: " --read-only --read-only-tmpfs=false --tmpfs /tmp \
  -e MESH_SERVER__LISTEN="127.0.0.1:$web" -e MESH_INTERNAL_GRPC__LISTEN="127.0.0.1:$grpc" \
  -e MESH_INTERNAL_GRPC__HEALTH_LISTEN="127.0.0.1:$hub_health" -e MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN="$cluster_secret" \
  "$image"
hub_ready=$ready_ms
say "hub ready: ${ready_ms} ms after podman run (${process_ms} ms after the process started)"

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
node_ready_line="mesh node ready: node $node_id"
say "node: podman run $image run --node-mode (node id $node_id)"
start "$node" "$prefix-node-data" "$node_ready_line" -e MESH_SERVER__NODE_ID="$node_id" "${node_env[@]}" \
  "$image" run --node-mode --config /etc/mesh/mesh.toml
node_ready=$ready_ms
say "node ready (joined, certificate issued): ${ready_ms} ms after podman run (${process_ms} ms after the process started)"

# 4. The hub lists it online.
deadline=$(( $(date +%s) + 30 ))
until curl -fsS -H "Authorization: Bearer $api_token" "http://127.0.0.1:$web/api/admin/agent-nodes" \
    | python3 -c 'import json,sys; sys.exit(0 if any(n["id"] == sys.argv[1] and n["status"] == "online" for n in json.load(sys.stdin)["nodes"]) else 1)' "$node_id" 2>/dev/null; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "node $node_id is not online in GET /api/admin/agent-nodes: $(curl -sS -H "Authorization: Bearer $api_token" "http://127.0.0.1:$web/api/admin/agent-nodes")"
  sleep 0.2
done
say "GET /api/admin/agent-nodes: $node_id online"

# The health endpoints the image relies on instead of a HEALTHCHECK: the hub's GET /healthz, and grpc.health.v1 Check
# on each health_listen (what the manifests' gRPC probes call), answered SERVING: the message 08 01 in a gRPC frame.
[ "$(curl -fsS "http://127.0.0.1:$web/healthz")" = ok ] || fail "GET /healthz on the hub did not answer ok"
grpc_health() {
  printf '\0\0\0\0\0' | curl -sS --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @- "http://127.0.0.1:$1/grpc.health.v1.Health/Check" | od -An -tx1 | tr -d ' \n'
}
for target in "hub $hub_health" "node $node_health"; do
  set -- $target
  answer=$(grpc_health "$2")
  [ "$answer" = 00000000020801 ] || fail "grpc.health.v1 Check on the $1's health listener (127.0.0.1:$2) answered '$answer', not SERVING"
done
say "GET /healthz on the hub: ok; grpc.health.v1 Check on the hub's and the node's health_listen: SERVING"

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
podman rm -f -v "$prefix-bad" >/dev/null

# 8. Optionally: the idle node's memory, as podman and the kernel see it.
if [ "$idle" -gt 0 ]; then
  sleep "$idle"
  memory() { # podman's figure (the container's cgroup less inactive file pages) and the mesh process's own, in kB
    local pid mesh_pid
    pid=$(podman inspect --format '{{.State.Pid}}' "$1")
    mesh_pid=$(cut -d' ' -f1 "/proc/$pid/task/$pid/children")
    printf 'podman stats %s; mesh process %s' "$(podman stats --no-stream --format '{{.MemUsage}}' "$1" | cut -d/ -f1 | tr -d ' ')" \
      "$(awk '/^(Rss|Pss|Shared_Clean|Private_Clean|Private_Dirty|Anonymous):/ {printf "%s%s %d", sep, $1, $2; sep=", "} END {print " kB"}' "/proc/$mesh_pid/smaps_rollup")"
  }
  say "idle ${idle} s, node container: $(memory "$node")"
  say "idle ${idle} s, hub container: $(memory "$hub")"
fi

# 9. podman stop sends SIGTERM to tini, which passes it to mesh: it stops gracefully with exit 0, well before the 10 s
#    after which podman would kill it. The node then starts again on its volume as the same node, without joining.
stop() {
  local t0 code
  t0=$(now_ms)
  podman stop -t 10 "$1" >/dev/null
  code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
  [ "$code" -eq 0 ] || fail "$1 exited $code on SIGTERM"
  say "$1: SIGTERM -> exit 0 in $(( $(now_ms) - t0 )) ms"
}
stop "$node"
t0=$(now_ms)
podman start "$node" >/dev/null
wait_for_line "$node" "$t0" "$node_ready_line" 2
restart_ready=$ready_ms
enrolled=$(podman logs "$node" 2>&1 | grep -c "Node $node_id enrolled with") || true
[ "$enrolled" -eq 1 ] || fail "the restarted node joined again ($enrolled enrollments in its log)"
say "node restarted on its volume: ready ${ready_ms} ms after podman start (${process_ms} ms after the process started), no second join"
stop "$node"
stop "$hub"

say "passed: hub ready ${hub_ready} ms, node ready ${node_ready} ms after podman run (joining), ${restart_ready} ms after podman start (restart)"
