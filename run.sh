#!/usr/bin/env bash
# Fresh clone → serves the MogFace HTTP API on http://127.0.0.1:${PORT:-7071} in the foreground:
# installs what is missing (npm packages, default weights), builds, starts Azurite unless
# AzureWebJobsStorage points elsewhere, registers the default model when the registry is empty, and stops
# everything it started on Ctrl-C or exit. Routes and curl examples: docs/http.md.
# Long steps say what they do and, every 15 s, that they are still at it (scripts/progress.sh).
#
# Azurite keeps its data in .azurite/ (git-ignored), so a restart finds the versions registered before and
# does not register the default again; MOGFACE_AZURITE_IN_MEMORY=1 keeps it in memory instead (forgotten on
# exit). `rm -rf .azurite` starts from an empty registry.
#
# MOGFACE_HOST=server (default): the standalone ASP.NET Core server.
# MOGFACE_HOST=functions: the Functions app from its `dotnet publish` output (artifacts/functions, the folder
#   the container image ships) under `func start` when Core Tools are on PATH, else under the Azure Functions
#   host built from source by ../shared/functions-host (cached in ${MOGFACE_FUNCHOST_DIR:-~/.cache/funchost}).
#   Settings come from local.settings.json (created from local.settings.sample.json when missing); variables
#   already set in the environment win, as with func start.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

port="${PORT:-7071}"
url="http://127.0.0.1:${port}"
host_kind="${MOGFACE_HOST:-server}"
log() { echo "run: $*" >&2; }
# shellcheck source=scripts/progress.sh
. scripts/progress.sh
case $host_kind in
  server) host_name="server" ;;
  functions) host_name="Functions host" ;;
  *) log "MOGFACE_HOST must be 'server' or 'functions'; got '${host_kind}'"; exit 2 ;;
esac

pids=()
# Stops one child: SIGTERM, up to 10 s to exit, then SIGKILL (with its own children, e.g. the Functions worker).
stop_child() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
# Newest first, one at a time: the app stops while the storage it talks to is still up.
cleanup() {
  trap - EXIT INT TERM
  stop_heartbeat
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_child "${pids[i]}"
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash scripts/setup.sh

cli_dll="src/MogFace.Cli/bin/Release/net10.0/mogface.dll"
functions_app="artifacts/functions"
settings=() # NAME=VALUE pairs from local.settings.json (functions mode), handed to the host with env
# dotnet's output only when it fails (even -v quiet prints a "Build succeeded" summary).
quietly() {
  local out
  out="$("$@" 2>&1)" || { echo "$out" >&2; return 1; }
}
build() { quietly dotnet build "$1" -c Release --nologo -v quiet -clp:ErrorsOnly; }
build_server_and_cli() { build src/MogFace.Server && build src/MogFace.Cli; }
publish_functions_and_build_cli() {
  quietly dotnet publish src/MogFace.Functions -c Release -o "$functions_app" --nologo -v quiet -clp:ErrorsOnly && build src/MogFace.Cli
}
if [[ $host_kind == server ]]; then
  step "building the server and the CLI (~1 min the first time)" build_server_and_cli
  server_dll="src/MogFace.Server/bin/Release/net10.0/MogFace.Server.dll"
else
  step "publishing the Functions app into ${functions_app}/ (dotnet publish: what the container image ships) and building the CLI" \
    publish_functions_and_build_cli
  if [[ ! -f local.settings.json ]]; then
    cp local.settings.sample.json local.settings.json
    log "created local.settings.json from local.settings.sample.json (the one place for local settings)"
  fi
  while IFS= read -r -d '' pair; do settings+=("$pair"); done < <(node scripts/local-settings.js local.settings.json)
  if command -v func >/dev/null 2>&1; then
    runner=func
  else
    runner=kit
    kit="$(cd "$root/.." && pwd)/shared/functions-host"
    funchost_dir="${MOGFACE_FUNCHOST_DIR:-$HOME/.cache/funchost}"
    if [[ ! -f $kit/build.sh ]]; then
      log "no 'func' on PATH and no Functions host kit at ${kit}: install Azure Functions Core Tools"
      exit 1
    fi
    log "no 'func' on PATH: using the Azure Functions host built from source by ${kit}"
    step "building the Azure Functions host into ${funchost_dir} (~2 min the first time)" bash "$kit/build.sh" "$funchost_dir" >&2
  fi
fi

# The storage the app will use: the environment's, else (functions mode) local.settings.json's.
setting() {
  local pair
  for pair in "${settings[@]}"; do
    [[ ${pair%%=*} == "$1" ]] && { echo "${pair#*=}"; return 0; }
  done
  return 0
}
storage="${AzureWebJobsStorage:-$(setting AzureWebJobsStorage)}"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ ( -z $storage || $storage == "UseDevelopmentStorage=true" ) && -z ${AzureWebJobsStorage__blobServiceUri:-} ]]; then
  if port_open 10000; then
    log "something already listens on 127.0.0.1:10000: using it as Azurite"
  else
    if [[ ${MOGFACE_AZURITE_IN_MEMORY:-0} == 1 ]]; then
      persistence=(--inMemoryPersistence)
      log "starting Azurite (in memory: MOGFACE_AZURITE_IN_MEMORY=1) on 127.0.0.1:10000-10002"
    else
      persistence=(--location .azurite)
      log "starting Azurite on 127.0.0.1:10000-10002 (data in .azurite/, kept across runs; rm -rf .azurite to start empty)"
    fi
    node_modules/.bin/azurite --blobHost 127.0.0.1 --blobPort 10000 --queuePort 10001 --tablePort 10002 \
      "${persistence[@]}" --skipApiVersionCheck --disableTelemetry --silent >/dev/null & # its errors still reach stderr
    pids+=($!)
    for _ in $(seq 1 600); do port_open 10000 && break; sleep 0.1; done # slow on a busy machine
    port_open 10000 || { log "Azurite did not start"; exit 1; }
  fi
  export AzureWebJobsStorage="UseDevelopmentStorage=true"
elif [[ -n $storage ]]; then
  export AzureWebJobsStorage="$storage" # for `mogface publish` below
fi

if port_open "$port"; then
  log "127.0.0.1:${port} is already in use: stop that process or set PORT"
  exit 1
fi

if [[ $host_kind == server ]]; then
  log "starting the server on ${url}"
  PORT="$port" dotnet "$server_dll" &
  server=$!
else
  host_log="artifacts/functions-host.log"
  log "starting the Functions host (${runner}) on ${url}; its log: ${host_log}"
  if [[ $runner == func ]]; then
    cp local.settings.json "$functions_app/local.settings.json"
    (cd "$functions_app" && exec func start --port "$port") >"$host_log" 2>&1 &
  else
    # The kit's env.sh: script root, URLs, worker runtime, Development; settings as environment variables
    # (names with dots, such as AzureWebJobs.<Function>.Disabled, need env).
    (
      # shellcheck source=/dev/null
      . "$kit/env.sh"
      funchost_env "$funchost_dir" "$functions_app" "$port"
      exec env "${settings[@]}" dotnet "$FUNCHOST_DLL"
    ) >"$host_log" 2>&1 &
  fi
  server=$!
fi
pids+=("$server")

admin_key="${MogFace__AdminKey:-$(setting MogFace__AdminKey)}"
curl_admin() {
  local args=(-s --max-time 120)
  [[ -n $admin_key ]] && args+=(-H "x-functions-key: ${admin_key}")
  curl "${args[@]}" "$@"
}

exited() {
  log "the ${host_name} exited"
  [[ $host_kind == functions ]] && tail -n 40 "$host_log" >&2
  exit 1
}

health_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/api/health"; }
# Up when health answers at all (503 until a model is loaded; the Functions host answers 404 until it has
# indexed the worker's functions).
wait_until_up() {
  for _ in $(seq 1 600); do
    kill -0 "$server" 2>/dev/null || exited
    [[ $(health_code) =~ ^(200|503)$ ]] && return 0
    sleep 0.2
  done
}
wait_until_serving() {
  for _ in $(seq 1 600); do
    [[ $(health_code) == 200 ]] && return 0
    kill -0 "$server" 2>/dev/null || exited
    sleep 0.2
  done
}
step "waiting for the ${host_name} to answer on ${url}" wait_until_up

if curl_admin "$url/api/models" | grep -q '"versions":\[\]'; then
  log "registry is empty: publishing the default model (models/yunet/yunet-n.onnx + manifest) to the weights container"
  dotnet "$cli_dll" publish models/yunet/yunet-n.onnx --manifest models/yunet/yunet-n.json >&2
fi
# A restart on kept Azurite data serves the active version from before: it is loaded, not registered again.
[[ $(health_code) == 200 ]] || step "waiting for the active model to load and warm up" wait_until_serving

console="${url}/"
[[ $host_kind == functions ]] && console="${url}/api/console/"
log "serving on ${url}  (console: ${console}, health: ${url}/api/health, detect: POST ${url}/api/detect; Ctrl-C stops)"
curl -s "$url/api/health" >&2 && echo >&2
wait "$server"
