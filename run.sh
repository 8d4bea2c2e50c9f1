#!/usr/bin/env bash
# Builds Mesh and starts a hub on this machine with config-samples/single-machine.toml.
# Its state lives in .mesh/ beside this script. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -f src/Hub/package-lock.json ] && [ ! -d src/Hub/node_modules ]; then
  (cd src/Hub && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
dotnet build src/Hub -c Release -nologo -v:q -clp:NoSummary
exec dotnet src/Hub/bin/Release/net10.0/mesh.dll run --config config-samples/single-machine.toml "$@"
