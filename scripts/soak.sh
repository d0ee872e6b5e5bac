#!/usr/bin/env bash
# Issue 12's soak (docs/benchmarks.md, "Soak"): Azurite + the standalone server with keys, YuNet-n and a byte-different
# copy of it registered, then `mogface bench soak` — a baseline with the good clients alone, then the same with
# abusive clients beside them (8 clients in all) and 6 swaps between the two versions — against the server's process. Run after ./test.sh (or ./run.sh) has built
# everything. Arguments go to `mogface bench soak` (e.g. --duration 2m --baseline 20s --warmup 20s for a short run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cli="dotnet src/MogFace.Cli/bin/Release/net10.0/mogface.dll"
# shellcheck source=scripts/bench-stack.sh
. "$root/scripts/bench-stack.sh"

blob=10200 port=7191
bench_azurite $blob
# Keys for this run only: generated, never stored.
function_key="soak-f-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
admin_key="soak-a-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export AzureWebJobsStorage="$storage" MogFace__ExecutionProvider=cpu MogFace__CacheDirectory="$work/cache" \
  MogFace__FunctionKey="$function_key" MogFace__AdminKey="$admin_key" MogFace__PollInterval=00:00:02

PORT=$port MogFace__InstanceId=soak-server dotnet src/MogFace.Server/bin/Release/net10.0/MogFace.Server.dll >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
url="http://127.0.0.1:$port"
until curl -s -o /dev/null "$url/api/health/live"; do kill -0 "$server" || { cat "$work/server.log"; exit 1; }; sleep 0.2; done

# Two versions of the same network (the copy differs by one metadata entry), so the swaps change the version and
# nothing else: the normal client's latency compares like with like.
/usr/bin/python3 - models/yunet/yunet-n.onnx "$work/yunet-n-b.onnx" <<'PY'
import sys, onnx
model = onnx.load(sys.argv[1])
entry = model.metadata_props.add()
entry.key, entry.value = "soak-copy", "b"
onnx.save(model, sys.argv[2])
PY
cp models/yunet/yunet-n.json "$work/yunet-n-b.json"
$cli publish models/yunet/yunet-n.onnx --manifest models/yunet/yunet-n.json --connection-string "$storage" >/dev/null
$cli publish "$work/yunet-n-b.onnx" --manifest "$work/yunet-n-b.json" --connection-string "$storage" >/dev/null
versions=""
for _ in $(seq 1 600); do
  versions=$(curl -s -H "x-functions-key: $admin_key" "$url/api/models" |
    /usr/bin/python3 -c 'import json,sys; print(",".join(v["version"] for v in json.load(sys.stdin)["versions"]))' 2>/dev/null || true)
  [[ $versions == *,* && $(curl -s -o /dev/null -w '%{http_code}' "$url/api/health") == 200 ]] && break
  sleep 0.5
done
[[ $versions == *,* ]] || { echo "soak: the two versions were not registered" >&2; tail -50 "$work/server.log" >&2; exit 1; }
echo "soak: server pid $server, versions $versions" >&2

status=0
$cli bench soak --url "$url" --key "$function_key" --admin-key "$admin_key" --pid "$server" --versions "$versions" "$@" || status=$?
grep -c '"StatusCode":500\|Unhandled exception' "$work/server.log" | sed 's/^/server log: 500s or unhandled exceptions: /' >&2 || true
exit $status
