#!/usr/bin/env bash
# Output relay benchmark, one command: publishes mesh (ReadyToRun, as run.sh) and runs bench/OutputBench against a
# real hub and one node process on this machine. RUNS=20 runs each write 5 MB/s for SECONDS_OF_OUTPUT=20 s at once.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/Mesh -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o .mesh/bench-bin -nologo -v:q -clp:NoSummary
MESH_BENCH_DLL="$PWD/.mesh/bench-bin/mesh.dll" dotnet run -c Release --project bench/OutputBench
