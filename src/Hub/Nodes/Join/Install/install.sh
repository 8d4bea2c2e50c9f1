#!/bin/sh
# Mesh node installer, served by the hub at /join/install.sh (docs/deploy.md, "Join a machine in one line"):
#
#   curl -fsSL https://HUB/join/install.sh | sudo sh -s -- --hub https://HUB:50051 --token mesh1.… [--node-id ID]
#
# Checks the hub's CA against the pin in the token before it writes anything, then installs the mesh binary the hub
# serves under --prefix, writes the node configuration (0600) and installs and starts mesh-node.service — or, with
# --no-service, runs the node in the foreground (--background: detached, logging to DATA_DIR/mesh.log).
# Exit codes: 0 done, 1 failed, 2 bad arguments, 3 the hub's CA does not match the pin (nothing written).
set -eu

# The hub's web address: the hub writes it here when it serves this script; --url overrides it.
url='@MESH_URL@'
hub='' token='' token_file='' node_id='' mode='tls' service=1 background=0 root='' prefix='' data_dir='' force=0

say() { printf 'mesh-install: %s\n' "$*"; }
die() { code=$1; shift; printf 'mesh-install: error: %s\n' "$*" >&2; exit "$code"; }
usage() {
  cat <<'EOF'
usage: install.sh --hub https://HUB:50051 (--token TOKEN | --token-file FILE) [options]
  --node-id ID      node id (default: this machine's host name, made into an id)
  --mode tls|mtls   the hub's [internal_grpc.security] mode (default tls)
  --no-service      do not install a systemd unit: run the node in the foreground
  --background      with --no-service: start the node detached, log to DATA_DIR/mesh.log
  --prefix DIR      where the mesh files go (default /opt/mesh)
  --data-dir DIR    the node's data_dir (default /var/lib/mesh)
  --root DIR        install below DIR instead of / (images, tests); the systemd unit is written, not started
  --url URL         the hub's web address to download from (default: the hub that served this script)
  --force           replace an existing node configuration
EOF
}

while [ $# -gt 0 ]; do
  opt=$1
  case $opt in
    --*=*) val=${opt#*=}; opt=${opt%%=*}; has_val=1 ;;
    *) val=${2-}; has_val=0 ;;
  esac
  case $opt in
    --no-service) service=0 ;;
    --background) background=1 ;;
    --force) force=1 ;;
    -h|--help) usage; exit 0 ;;
    --hub|--token|--token-file|--node-id|--mode|--prefix|--data-dir|--root|--url)
      if [ "$has_val" -eq 0 ]; then
        [ $# -ge 2 ] || die 2 "$opt needs a value"
        shift
      fi
      case $opt in
        --hub) hub=$val ;; --token) token=$val ;; --token-file) token_file=$val ;; --node-id) node_id=$val ;;
        --mode) mode=$val ;; --prefix) prefix=$val ;; --data-dir) data_dir=$val ;; --root) root=$val ;; --url) url=$val ;;
      esac ;;
    *) usage >&2; die 2 "unknown option '$opt'" ;;
  esac
  shift
done

# --- arguments (nothing is written until the pin check below has passed) -------------------------------------------
case $url in @MESH_URL*|'') die 2 "--url is missing: give the hub's web address, e.g. --url https://hub.example.com:8080" ;; esac
printf '%s' "$url" | grep -Eq '^https?://[][A-Za-z0-9._:-]+$' || die 2 "--url '$url' is not http(s)://host[:port]"
[ -n "$hub" ] || die 2 "--hub is missing: the hub's internal gRPC address, e.g. --hub https://hub.example.com:50051"
printf '%s' "$hub" | grep -Eq '^https://[][A-Za-z0-9._:-]+:[0-9]+$' || die 2 "--hub '$hub' is not https://host:port"
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || die 2 "--token-file '$token_file' cannot be read"
  IFS= read -r token < "$token_file" || true
fi
[ -n "$token" ] || die 2 "--token (or --token-file) is missing: create a join token on the hub's Join page"
printf '%s' "$token" | grep -Eq '^mesh1\.[a-z0-9]+\.[A-Za-z0-9_-]{32,}\.[0-9a-f]{64}$' ||
  die 2 "the token is malformed: expected mesh1.<id>.<secret>.<ca-pin> as the hub's Join page shows it"
pin=${token##*.}
case $mode in tls|mtls) ;; *) die 2 "--mode '$mode' is not tls or mtls" ;; esac
if [ -z "$node_id" ]; then
  node_id=$(hostname 2>/dev/null || cat /etc/hostname)
  node_id=$(printf '%s' "${node_id%%.*}" | tr -c 'A-Za-z0-9._-' '-' | cut -c1-64)
fi
printf '%s' "$node_id" | grep -Eq '^[A-Za-z0-9._-]{2,64}$' || die 2 "node id '$node_id' is not 2 to 64 characters of [A-Za-z0-9._-]: pass --node-id"
case $(printf '%s' "$node_id" | tr 'A-Z' 'a-z') in hub|root|main) die 2 "node id '$node_id' is reserved for the hub itself: pass --node-id" ;; esac
[ "$background" -eq 0 ] || [ "$service" -eq 0 ] || die 2 "--background goes with --no-service"
case ${root:-/} in /*) ;; *) die 2 "--root '$root' must be an absolute path" ;; esac
root=${root%/}
prefix=${prefix:-$root/opt/mesh}
data_dir=${data_dir:-$root/var/lib/mesh}
config_dir=$root/etc/mesh
config=$config_dir/node.toml
for p in "$prefix" "$data_dir"; do
  case $p in /*) ;; *) die 2 "'$p' must be an absolute path" ;; esac
  case $p in *[!A-Za-z0-9._/-]*) die 2 "'$p' may use only letters, digits and . _ / -" ;; esac
done
[ "$force" -eq 1 ] || [ ! -e "$config" ] || die 1 "$config exists: this machine already has a node configuration (remove it, or pass --force to replace it)"
for tool in curl openssl tar gzip; do
  command -v "$tool" >/dev/null 2>&1 || die 1 "'$tool' is not installed on this machine (apt-get install $tool)"
done
systemd_live=0
if [ "$service" -eq 1 ] && [ -z "$root" ]; then
  [ "$(id -u)" -eq 0 ] || die 1 "installing the service needs root: run with sudo, or pass --no-service"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then systemd_live=1; else
    die 1 "this machine does not run systemd: pass --no-service to run the node without a service"
  fi
fi
case $(uname -s)/$(uname -m) in
  Linux/x86_64|Linux/amd64) platform=linux-x64 ;;
  Linux/aarch64|Linux/arm64) platform=linux-arm64 ;;
  *) die 1 "no mesh build for $(uname -s) $(uname -m) here: the hub serves Linux builds only" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

fetch() { # fetch PATH FILE: GET $url/PATH into FILE; on an HTTP error prints the hub's answer
  status=$(curl -sS -L --max-time 300 -o "$2" -w '%{http_code}' "$url/$1") || die 1 "cannot download $url/$1 (curl exit $?): is --url right and the hub up?"
  [ "$status" = 200 ] || die 1 "$url/$1: HTTP $status: $(head -c 300 "$2" 2>/dev/null)"
}

# --- the pin check: the CA this hub serves must be the one the token was made for --------------------------------------
fetch join/ca.crt "$tmp/ca.crt"
actual=$(openssl x509 -in "$tmp/ca.crt" -pubkey -noout 2>/dev/null | openssl pkey -pubin -outform der 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1)
[ "${#actual}" -eq 64 ] || die 3 "$url/join/ca.crt is not a certificate; nothing was installed"
if [ "$actual" != "$pin" ]; then
  die 3 "the hub's CA does not match the pin in your token (expected sha256:$pin, got sha256:$actual). Nothing was installed. Check that --url and --hub name the hub that created the token."
fi
say "hub CA matches the token's pin (sha256:$pin)"
set +e
curl -sS -o /dev/null --max-time 15 --cacert "$tmp/ca.crt" "$hub/" 2>"$tmp/curl.err"
rc=$?
set -e
case $rc in
  0) ;;
  6|7|28) die 1 "cannot reach the hub's internal gRPC address $hub from this machine ($(cat "$tmp/curl.err")). If the hub listens on loopback only, set [internal_grpc] listen and advertise on the hub (its Join page says how)." ;;
  35|51|58|59|60|83) die 1 "$hub did not prove it is the hub with the pinned CA ($(cat "$tmp/curl.err")): its certificate must name that host, see [internal_grpc] advertise" ;;
  *) die 1 "$hub: curl exit $rc ($(cat "$tmp/curl.err"))" ;;
esac

# --- download and check the mesh build ------------------------------------------------------------------------------
fetch "join/mesh-$platform.tar.gz" "$tmp/mesh.tar.gz"
fetch "join/mesh-$platform.tar.gz.sha256" "$tmp/mesh.sha256"
[ "$(openssl dgst -sha256 -r "$tmp/mesh.tar.gz" | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$tmp/mesh.sha256")" ] || die 1 "the download is damaged (SHA-256 differs); try again"
mkdir "$tmp/app"
tar -xzf "$tmp/mesh.tar.gz" -C "$tmp/app" || die 1 "cannot unpack the mesh build"
[ -x "$tmp/app/mesh" ] || die 1 "the hub's build has no 'mesh' executable"
"$tmp/app/mesh" version >"$tmp/version" 2>&1 || die 1 "the mesh build does not run here: $(head -c 400 "$tmp/version"). A framework-dependent hub build needs the .NET 10 runtime on this machine; a self-contained one does not (docs/deploy.md)."
if [ "$service" -eq 1 ]; then
  fetch join/mesh-node.service "$tmp/mesh-node.service"
  fetch join/mesh.sysusers.conf "$tmp/mesh.sysusers.conf"
fi

# --- install -------------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$prefix")"
rm -rf "$prefix.new" "$prefix.old"
cp -R "$tmp/app" "$prefix.new"
[ ! -e "$prefix" ] || mv "$prefix" "$prefix.old"
mv "$prefix.new" "$prefix"
rm -rf "$prefix.old"
say "installed $(head -n 1 "$tmp/version") in $prefix"

mkdir -p "$config_dir" "$data_dir"
chmod 0750 "$data_dir"
(
  umask 077
  cat > "$config.tmp" <<EOF
# Written by the hub's install script for node '$node_id'. docs/deploy.md
[server]
role = "node"
node_id = "$node_id"
data_dir = "$data_dir"

[internal_grpc.security]
mode = "$mode"
cert_dir = "$data_dir/certs"

[internal_grpc.bootstrap]
token = "$token"

[hub]
target = "$hub"
EOF
)
chmod 0600 "$config.tmp"
mv "$config.tmp" "$config"
say "wrote $config (0600) for node '$node_id', hub $hub"

if [ "$service" -eq 1 ]; then
  unit_dir=$root/etc/systemd/system
  sysusers_dir=$root/usr/lib/sysusers.d
  mkdir -p "$unit_dir" "$sysusers_dir"
  sed -e "s|/usr/local/bin/mesh|$prefix/mesh|g" -e "s|/etc/mesh/node.toml|$config|g" "$tmp/mesh-node.service" > "$unit_dir/mesh-node.service"
  if [ "$data_dir" != /var/lib/mesh ]; then
    sed -i "s|^StateDirectory=mesh$|StateDirectory=mesh\nReadWritePaths=$data_dir|" "$unit_dir/mesh-node.service"
  fi
  chmod 0644 "$unit_dir/mesh-node.service"
  install -m 0644 "$tmp/mesh.sysusers.conf" "$sysusers_dir/mesh.conf"
  if [ "$systemd_live" -eq 0 ]; then
    say "wrote $unit_dir/mesh-node.service and $sysusers_dir/mesh.conf (--root: not enabled or started)"
    exit 0
  fi
  systemd-sysusers "$sysusers_dir/mesh.conf"
  chown mesh:mesh "$config"
  chown -R mesh:mesh "$data_dir"
  systemctl daemon-reload
  systemctl enable --now mesh-node.service
  i=0
  while [ $i -lt 60 ]; do
    if journalctl -u mesh-node.service --since '-2min' -o cat 2>/dev/null | grep -q "mesh node ready"; then
      say "node '$node_id' joined: mesh-node.service is running (journalctl -u mesh-node)"
      exit 0
    fi
    systemctl is-failed --quiet mesh-node.service && die 1 "mesh-node.service failed: $(journalctl -u mesh-node.service -n 5 -o cat --no-pager 2>/dev/null)"
    sleep 1; i=$((i + 1))
  done
  die 1 "mesh-node.service did not report ready within 60 s: see journalctl -u mesh-node"
fi

if [ "$background" -eq 1 ]; then
  log=$data_dir/mesh.log
  nohup setsid "$prefix/mesh" run --config "$config" >"$log" 2>&1 </dev/null &
  pid=$!
  i=0
  while [ $i -lt 120 ]; do
    grep -q "mesh node ready" "$log" 2>/dev/null && { say "node '$node_id' joined: running in the background (pid $pid, log $log)"; exit 0; }
    kill -0 "$pid" 2>/dev/null || die 1 "the node stopped: $(tail -n 5 "$log")"
    sleep 0.5; i=$((i + 1))
  done
  die 1 "the node did not report ready within 60 s: see $log"
fi

say "starting the node in the foreground (Ctrl-C stops it)"
exec "$prefix/mesh" run --config "$config"
