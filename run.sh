#!/usr/bin/env bash
# Publishes mesh (ReadyToRun) and the actor CLI (Native AOT) into .mesh/bin and starts a hub with its local node on this machine,
# using config-samples/single-machine.toml. State lives in .mesh/ beside this script. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -f src/Hub/package-lock.json ] && [ ! -d src/Hub/node_modules ]; then
  (cd src/Hub && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
echo "run.sh: building mesh and the actor CLI into .mesh/bin… (about a minute the first time)"
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o .mesh/bin -nologo -v:q -clp:NoSummary
# The actor CLI agents call on every step: Native AOT (~12 ms a call) needs clang and zlib1g-dev; without them a
# ReadyToRun build (~130 ms a call) so that the quick start still works.
if command -v clang >/dev/null && [ -e /usr/include/zlib.h ]; then
  dotnet publish src/ActorCli -c Release -r linux-x64 -o .mesh/bin -nologo -v:q -clp:NoSummary
else
  echo "run.sh: clang or zlib1g-dev missing (apt-get install clang zlib1g-dev): building the slower JIT actor CLI" >&2
  dotnet publish src/ActorCli -c Release -r linux-x64 --self-contained false -p:PublishAot=false -p:PublishReadyToRun=true -o .mesh/bin -nologo -v:q -clp:NoSummary
fi
echo "run.sh: built .mesh/bin/mesh and the actor CLI .mesh/bin/actor (add it to PATH: export PATH=\"$PWD/.mesh/bin:\$PATH\")"
exec .mesh/bin/mesh run --config config-samples/single-machine.toml "$@"
