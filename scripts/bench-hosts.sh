#!/usr/bin/env bash
# Detect latency through the Functions host vs the standalone server vs in-process (same image, model and run),
# and each host's cold start to its first 200 on detect. Prints `mogface bench http` tables and the start times.
# Run after ./test.sh (or ./run.sh) has built everything: it uses artifacts/functions and the kit's host build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
image="${1:-tests/images/grace_hopper_512x512.jpg}"
kit="$(cd "$root/.." && pwd)/shared/functions-host"
funchost_dir="${MOGFACE_FUNCHOST_DIR:-$HOME/.cache/funchost}"
cli="dotnet src/MogFace.Cli/bin/Release/net10.0/mogface.dll"
# shellcheck source=scripts/bench-stack.sh
. "$root/scripts/bench-stack.sh"

blob=10100 server_port=7181 functions_port=7182
bench_azurite $blob
export AzureWebJobsStorage="$storage" MogFace__ExecutionProvider=cpu MogFace__CacheDirectory="$work/cache"

# Seconds from process start to the first 200 on POST /api/detect.
first_detect() {
  local url=$1 start=$2
  until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: image/jpeg' --data-binary @"$image" "$url/api/detect") == 200 ]]; do
    sleep 0.05
  done
  echo "$(($(date +%s%N) - start))" | awk '{printf "%.1f", $1 / 1e9}'
}

start=$(date +%s%N)
PORT=$server_port MogFace__InstanceId=bench-server dotnet src/MogFace.Server/bin/Release/net10.0/MogFace.Server.dll >"$work/server.log" 2>&1 &
pids+=($!)
until curl -s -o /dev/null "http://127.0.0.1:$server_port/api/health"; do sleep 0.1; done
$cli publish models/blazeface/blazeface-back.onnx --connection-string "$storage" >/dev/null
first_detect "http://127.0.0.1:$server_port" "$start" >/dev/null # first start also registers the model

# Cold starts with the model already registered: what a new instance or a restart costs.
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
start=$(date +%s%N)
PORT=$server_port MogFace__InstanceId=bench-server dotnet src/MogFace.Server/bin/Release/net10.0/MogFace.Server.dll >"$work/server.log" 2>&1 &
pids+=($!)
server_cold=$(first_detect "http://127.0.0.1:$server_port" "$start")

start=$(date +%s%N)
(
  # shellcheck source=/dev/null
  . "$kit/env.sh"
  funchost_env "$funchost_dir" artifacts/functions "$functions_port"
  export MogFace__InstanceId=bench-functions
  exec env 'AzureWebJobs.IngestWeightsEventGrid.Disabled=true' dotnet "$FUNCHOST_DLL"
) >"$work/functions.log" 2>&1 &
pids+=($!)
functions_cold=$(first_detect "http://127.0.0.1:$functions_port" "$start")

echo "cold start to first 200 on detect: server ${server_cold} s, Functions host ${functions_cold} s"
for host in server:$server_port functions:$functions_port; do
  echo "== ${host%%:*}"
  $cli bench http --url "http://127.0.0.1:${host##*:}" --image "$image" --model models/blazeface/blazeface-back.onnx --concurrency 1,2 --requests 300 --warmup 30
done
