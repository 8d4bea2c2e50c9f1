#!/usr/bin/env bash
# Installs what the tests need when it is missing, builds Mesh.sln (warnings are errors) and runs every test.
# Ends with one line "N passed, N failed". Exit code 0 only when everything passed.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

apt_packages=(openssl python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc nghttp2-client chromium golang-github-burntsushi-toml-dev python3-kubernetes systemd clang zlib1g-dev prometheus openssh-server curl buildah podman runc debootstrap postgresql)

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else echo "test.sh: need root to apt-get install ${missing[*]}" >&2; exit 1; fi
  else
    SUDO=
  fi
  # Another apt process may hold the dpkg lock for a while: wait for it instead of failing.
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 update -qq \
      && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq --no-install-recommends "${missing[@]}"; then
      break
    fi
    [ "$attempt" -eq 10 ] && { echo "test.sh: apt-get install failed" >&2; exit 1; }
    sleep 15
  done
fi

# Front-end packages (htmx) for the hub's embedded web assets, from the lock file.
for dir in src/Hub; do
  if [ -f "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
done

dotnet build Mesh.sln -nologo -v:q -clp:NoSummary
# The actor CLI as deployments ship it (Native AOT); the actor tests run this binary.
dotnet publish src/ActorCli -c Release -r linux-x64 -o .mesh/test-actor -nologo -v:q -clp:NoSummary
export MESH_TEST_ACTOR_BINARY="$PWD/.mesh/test-actor/actor"

log=$(mktemp)
set +e
dotnet test Mesh.sln --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=0; failed=0
while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -nE 's/^(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+).*/\2 \3/p' "$log")
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
