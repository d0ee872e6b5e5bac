#!/usr/bin/env bash
# Until the HTTP server lands: installs what is missing, builds the CLI and detects faces in a sample photo.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
dotnet build src/MogFace.Cli -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary"
exec dotnet src/MogFace.Cli/bin/Release/net10.0/mogface.dll detect "${@:-tests/images/sample5.jpg}"
