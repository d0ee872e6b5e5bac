#!/usr/bin/env bash
# Installs what a fresh clone lacks, for ./run.sh and ./test.sh alike: npm packages (Azurite), the
# BlazeFace weights (the default YuNet model is committed), libturbojpeg0, and Debian packages the tests use. Idempotent and quiet when everything is present.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

log() { echo "setup: $*" >&2; }
# shellcheck source=scripts/progress.sh
. scripts/progress.sh

# Debian packages, installed only when missing (CI machines start bare).
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  log "installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [[ ! -x node_modules/.bin/azurite ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "installing npm packages (Azurite; ~1 min the first time)" npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# Quiet when the weights are there; a heartbeat only while it downloads.
start_heartbeat "fetching the BlazeFace weights"
bash models/fetch-weights.sh || { rc=$?; stop_heartbeat; exit "$rc"; }
stop_heartbeat

# The SIMD build of libjpeg-turbo that JPEG uploads decode with (~2.5× faster than the copy inside SkiaSharp, same
# pixels; docs/benchmarks.md). Optional for running: without it the engine decodes through SkiaSharp.
ensure_apt libturbojpeg0 || log "libturbojpeg0 could not be installed; JPEGs will decode through SkiaSharp (slower)"

if [[ ${MOGFACE_SETUP_TEST:-0} == 1 ]]; then
  ensure_apt ${MOGFACE_TEST_APT_PACKAGES:-}
fi
