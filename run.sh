#!/usr/bin/env bash
# Publishes mesh (ReadyToRun) and starts a hub with its local node on this machine,
# using config-samples/single-machine.toml. State lives in .mesh/ beside this script. Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -f src/Hub/package-lock.json ] && [ ! -d src/Hub/node_modules ]; then
  (cd src/Hub && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o .mesh/bin -nologo -v:q -clp:NoSummary
exec .mesh/bin/mesh run --config config-samples/single-machine.toml "$@"
