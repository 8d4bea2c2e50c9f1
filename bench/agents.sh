#!/usr/bin/env bash
# Agent benchmark, one command: publishes mesh (ReadyToRun, as run.sh) and runs bench/AgentBench against a real hub
# and four node processes on this machine. AGENTS=1000 (default) sets the size of the mass start.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o .mesh/bench-bin -nologo -v:q -clp:NoSummary
MESH_BENCH_DLL="$PWD/.mesh/bench-bin/mesh.dll" dotnet run -c Release --project bench/AgentBench
