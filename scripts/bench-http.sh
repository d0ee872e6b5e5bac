#!/usr/bin/env bash
# `mogface bench http` against a fresh standalone server serving YuNet-n (issue 14's HTTP ratios): Azurite and the
# server started here, YuNet-n published, then the bench with the arguments given (without --image: the 1080p
# benchmark photo; concurrency 1, 2, 4, 8 unless --concurrency; a transport probe like the image unless --probe or
# --no-probe).
# Run after ./test.sh (or ./run.sh) has built everything.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cli="dotnet src/MogFace.Cli/bin/Release/net10.0/mogface.dll"
# shellcheck source=scripts/bench-stack.sh
. "$root/scripts/bench-stack.sh"

blob=10300 port=7193
bench_azurite $blob
export AzureWebJobsStorage="$storage" MogFace__ExecutionProvider=cpu MogFace__CacheDirectory="$work/cache"
PORT=$port MogFace__InstanceId=bench-http dotnet src/MogFace.Server/bin/Release/net10.0/MogFace.Server.dll >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
url="http://127.0.0.1:$port"
until curl -s -o /dev/null "$url/api/health/live"; do kill -0 "$server" || { cat "$work/server.log"; exit 1; }; sleep 0.2; done
$cli publish models/yunet/yunet-n.onnx --manifest models/yunet/yunet-n.json --connection-string "$storage" >/dev/null
until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/api/health") == 200 ]]; do sleep 0.5; done

# A 1920×1080 JPEG from the photo `mogface bench` crops too (scaled to cover, centre crop, quality 90).
/usr/bin/python3 - "$work/photo1080.jpg" <<'PY'
import sys, cv2
image = cv2.imread("tests/images/sample1.jpg")
h, w = image.shape[:2]
scale = max(1920 / w, 1080 / h)
image = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
y, x = (image.shape[0] - 1080) // 2, (image.shape[1] - 1920) // 2
cv2.imwrite(sys.argv[1], image[y:y + 1080, x:x + 1920], [cv2.IMWRITE_JPEG_QUALITY, 90])
PY
# The 1080p photo unless the arguments name an image (they may still set --json, --requests, …).
if [[ " $* " != *" --image "* ]]; then set -- --image "$work/photo1080.jpg" "$@"; fi
# And a transport probe as large as that image unless they name one or say --no-probe: the third side, the engine
# with HTTP's traffic on the cores, is the ceiling the HTTP ratios are read against (docs/benchmarks.md).
probe=yes previous="" args=()
for arg in "$@"; do
  [[ $previous == --image ]] && image=$arg
  previous=$arg
  case $arg in
    --no-probe) probe=no; continue ;;
    --probe) probe=no ;;
  esac
  args+=("$arg")
done
if [[ $probe == yes ]]; then
  /usr/bin/python3 scripts/make-probe-jpeg.py "$work/probe.jpg" --like "$image" >/dev/null
  args+=(--probe "$work/probe.jpg")
fi
set -- "${args[@]}"
$cli bench http --url "$url" --model models/yunet/yunet-n.onnx "$@"
