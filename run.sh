#!/usr/bin/env bash
# Fresh clone → serves the MogFace HTTP API on http://127.0.0.1:${PORT:-7071} in the foreground:
# installs what is missing (npm packages, default weights), builds, starts Azurite unless
# AzureWebJobsStorage points elsewhere, registers the default model when the registry is empty, and stops
# everything it started on Ctrl-C or exit. Routes and curl examples: docs/http.md.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

port="${PORT:-7071}"
url="http://127.0.0.1:${port}"
log() { echo "run: $*" >&2; }

pids=()
cleanup() {
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash scripts/setup.sh

log "building the server and the CLI"
dotnet build src/MogFace.Server -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build src/MogFace.Cli -c Release --nologo -v quiet -clp:ErrorsOnly
server_dll="src/MogFace.Server/bin/Release/net10.0/MogFace.Server.dll"
cli_dll="src/MogFace.Cli/bin/Release/net10.0/mogface.dll"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -z ${AzureWebJobsStorage:-} && -z ${AzureWebJobsStorage__blobServiceUri:-} ]]; then
  if port_open 10000; then
    log "something already listens on 127.0.0.1:10000: using it as Azurite"
  else
    log "starting Azurite (in memory) on 127.0.0.1:10000-10002"
    node_modules/.bin/azurite --blobHost 127.0.0.1 --blobPort 10000 --queuePort 10001 --tablePort 10002 \
      --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent &
    pids+=($!)
    for _ in $(seq 1 100); do port_open 10000 && break; sleep 0.1; done
    port_open 10000 || { log "Azurite did not start"; exit 1; }
  fi
  export AzureWebJobsStorage="UseDevelopmentStorage=true"
fi

if port_open "$port"; then
  log "127.0.0.1:${port} is already in use: stop that process or set PORT"
  exit 1
fi

log "starting the server on ${url}"
PORT="$port" dotnet "$server_dll" &
server=$!
pids+=("$server")

curl_admin() {
  local args=(-s --max-time 120)
  [[ -n ${MogFace__AdminKey:-} ]] && args+=(-H "x-functions-key: ${MogFace__AdminKey}")
  curl "${args[@]}" "$@"
}

for _ in $(seq 1 300); do
  kill -0 "$server" 2>/dev/null || { log "the server exited"; exit 1; }
  curl -s -o /dev/null --max-time 2 "$url/api/health" && break
  sleep 0.2
done

if curl_admin "$url/api/models" | grep -q '"versions":\[\]'; then
  log "registry is empty: publishing the default model (models/yunet/yunet-n.onnx + manifest)"
  dotnet "$cli_dll" publish models/yunet/yunet-n.onnx --manifest models/yunet/yunet-n.json >&2
  for _ in $(seq 1 600); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/api/health") == 200 ]] && break
    kill -0 "$server" 2>/dev/null || { log "the server exited"; exit 1; }
    sleep 0.2
  done
fi

log "serving on ${url}  (console: ${url}/, health: ${url}/api/health, detect: POST ${url}/api/detect; Ctrl-C stops)"
curl -s "$url/api/health" >&2 && echo >&2
wait "$server"
