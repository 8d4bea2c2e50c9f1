#!/usr/bin/env bash
# Join benchmark, one command: publishes mesh as deployed (ReadyToRun, like run.sh) and runs bench/JoinBench against it.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o .mesh/bench-bin -nologo -v:q -clp:NoSummary
MESH_BENCH_DLL="$PWD/.mesh/bench-bin/mesh.dll" dotnet run -c Release --project bench/JoinBench
