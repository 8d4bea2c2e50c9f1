#!/usr/bin/env bash
# Regenerates docs/screenshots/<page>-1440.png and <page>-390.png: every page of the web UI at 1440 and 390 px wide,
# taken by the browser test ScreenshotTourTests (a real hub, a real node, Debian's chromium through Playwright).
# Usage: tools/screenshots.sh   (from anywhere; needs the .NET SDK, npm and /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -d src/Hub/node_modules ] || (cd src/Hub && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
dotnet build tests/Mesh.IntegrationTests -nologo -v:q -clp:NoSummary
out=tests/Mesh.IntegrationTests/bin/Debug/net10.0/screenshots/tour
rm -rf "$out"
dotnet test tests/Mesh.IntegrationTests --no-build --filter "FullyQualifiedName~ScreenshotTourTests" -nologo
mkdir -p docs/screenshots
cp "$out"/*.png docs/screenshots/
echo "screenshots.sh: $(ls "$out"/*.png | wc -l) screenshots copied to docs/screenshots/"
