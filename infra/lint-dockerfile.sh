#!/usr/bin/env bash
# Static checks of infra/Dockerfile (Docker cannot run on the build machines, so the image is never built
# here). What this checks, and what it does not:
#   1. dockerfile-utils lint (npm; the parser/validator behind VS Code's Dockerfile support): syntax,
#      instruction arguments, flags, stage names.
#   2. dockerfilelint (npm): best-practice rules (tags on base images, apt hygiene, ...).
#   3. shellcheck (Debian package, used when installed) on every RUN instruction, as bash (SHELL is bash).
# Not checked: that the base images/tags and NVIDIA's apt packages exist, that `dotnet publish` succeeds
# inside the image, or that the CUDA provider loads on a GPU - the Dockerfile's own RUN checks do that at
# build time (ldconfig / ldd), on a machine with Docker.
# hadolint is not packaged for Debian or npm here; these tools stand in for it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
dockerfile="${1:-$here/Dockerfile}"
tools="$root/.tools/dockerfile-lint"

if [[ ! -x "$tools/node_modules/.bin/dockerfile-utils" || ! -x "$tools/node_modules/.bin/dockerfilelint" ]]; then
  echo "lint-dockerfile: installing dockerfile-utils and dockerfilelint into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent --no-save \
    dockerfile-utils@0.16.3 dockerfilelint@1.8.0 >&2
fi

status=0
echo "lint-dockerfile: dockerfile-utils lint"
"$tools/node_modules/.bin/dockerfile-utils" lint "$dockerfile" || status=1

echo "lint-dockerfile: dockerfilelint"
"$tools/node_modules/.bin/dockerfilelint" "$dockerfile" || status=1

if command -v shellcheck >/dev/null 2>&1; then
  echo "lint-dockerfile: shellcheck on RUN instructions"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  # Join continuation lines, drop comment lines inside instructions (Docker does the same), and write
  # the body of each RUN to its own script.
  awk -v dir="$scratch" '
    function flush() { if (cmd ~ /^RUN[ \t]/) { n++; f = dir "/run" n ".sh"; print "#!/bin/bash\n# line " start "\n" substr(cmd, 5) > f; close(f) } cmd = "" }
    /^[ \t]*#/ { next }
    {
      line = $0
      if (cmd == "") start = NR
      cont = sub(/\\[ \t]*$/, "", line)
      cmd = cmd line " "
      if (!cont) flush()
    }
    END { flush() }
  ' "$dockerfile"
  checked=0
  for script in "$scratch"/run*.sh; do
    [[ -e "$script" ]] || continue
    checked=$((checked + 1))
    # SC1091: /etc/os-release exists only inside the image.
    shellcheck --shell=bash --exclude=SC1091 "$script" || { echo "  (in $(sed -n 2p "$script" | tr -d '#'))"; status=1; }
  done
  echo "lint-dockerfile: shellcheck checked $checked RUN instructions"
else
  echo "lint-dockerfile: shellcheck not installed (apt-get install shellcheck) - RUN bodies not checked"
fi

if [[ $status -ne 0 ]]; then
  echo "lint-dockerfile: FAILED" >&2
  exit 1
fi
echo "lint-dockerfile: OK"
