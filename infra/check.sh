#!/usr/bin/env bash
# Compiles and lints the Bicep in infra/ with the Bicep CLI from NuGet, failing on any warning or error.
#   infra/check.sh            -> writes infra/out/main.json (ignored by git)
#   BICEP_OUT=dir infra/check.sh
# First run: `dotnet restore` of infra/tools/bicep.proj fetches Azure.Bicep.CommandLine.linux-x64 into the
# NuGet packages folder (a few seconds); later runs reuse it and take ~10 s (bicep build + lint).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bicep_version="0.49.2"
out_dir="${BICEP_OUT:-$here/out}"

packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
bicep="$packages/azure.bicep.commandline.linux-x64/$bicep_version/tools/bicep"
if [[ ! -x "$bicep" ]]; then
  echo "check.sh: fetching Bicep CLI $bicep_version from NuGet"
  dotnet restore "$here/tools/bicep.proj" --verbosity quiet >&2
  if [[ ! -x "$bicep" && -f "$bicep" ]]; then chmod +x "$bicep"; fi
  if [[ ! -x "$bicep" ]]; then
    echo "check.sh: bicep not found at $bicep after restore" >&2
    exit 1
  fi
fi

mkdir -p "$out_dir"
log="$out_dir/bicep.log"
: >"$log"
status=0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 BICEP_TRACING_ENABLED=false

echo "check.sh: $("$bicep" --version)"
"$bicep" build "$here/main.bicep" --outfile "$out_dir/main.json" >>"$log" 2>&1 || status=$?
"$bicep" lint "$here/main.bicep" >>"$log" 2>&1 || status=$?
# main.parameters.json must stay valid JSON (azd substitutes ${VARS} inside strings only).
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$here/main.parameters.json" >>"$log" 2>&1 || status=$?

cat "$log"
# bicep exits 0 on warnings: treat any diagnostic line as a failure.
if grep -Eq '(: )?(Warning|Error|Info) [A-Za-z]*[0-9a-z-]+:|[Ww]arning|[Ee]rror' "$log"; then
  echo "check.sh: FAILED - bicep reported diagnostics (see above)" >&2
  exit 1
fi
if [[ $status -ne 0 ]]; then
  echo "check.sh: FAILED (exit $status)" >&2
  exit "$status"
fi
if [[ ! -s "$out_dir/main.json" ]]; then
  echo "check.sh: FAILED - no $out_dir/main.json" >&2
  exit 1
fi
echo "check.sh: OK - bicep build + lint clean -> $out_dir/main.json"
