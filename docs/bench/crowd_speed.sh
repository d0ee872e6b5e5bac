#!/usr/bin/env bash
# Single-stream images/s on the crowd mosaics (docs/benchmarks.md): `mogface detect` over the three
# 1920×1536 JPEGs six times in one process, first pass dropped as warm-up; images/s = images / sum of each
# response's timingsMs.total. Usage: docs/bench/crowd_speed.sh CROWD_DIR (from make_crowd.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
crowd="${1:?usage: crowd_speed.sh CROWD_DIR}"
cli=(dotnet "$root/src/MogFace.Cli/bin/Release/net10.0/mogface.dll")
files=()
for _ in 1 2 3 4 5 6; do files+=("$crowd"/crowd-{3,4,6}.jpg); done
run() {
  "${cli[@]}" detect "${files[@]}" "$@" | /usr/bin/python3 -c '
import json, statistics, sys
rows = [json.loads(l)["timingsMs"] for l in sys.stdin][3:]
tot = [r["total"] for r in rows]; inf = [r["inference"] for r in rows]
print(f"n {len(rows)}  median total {statistics.median(tot):.1f} ms  median inference {statistics.median(inf):.1f} ms  images/s {1000*len(tot)/sum(tot):.2f}")'
}
echo "blazeface-back: $(run --model "$root/models/blazeface/blazeface-back.onnx")"
for side in 640 960 1280 1920; do echo "yunet-n maxSide $side: $(run --max-side "$side")"; done
