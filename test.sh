#!/usr/bin/env bash
# Fresh clone → installs what is missing, builds, runs every test (integration tests start their own
# Azurite), and ends with the plain line "N passed, M failed". Non-zero exit on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the tests need: OpenCV and ONNX for the MogFace parity fixtures and test model; chromium
# (and a font) for the operator console's browser tests, driven by Playwright without its browser download; AFL++
# for scripts/fuzz.sh.
export MOGFACE_SETUP_TEST=1
export MOGFACE_TEST_APT_PACKAGES="${MOGFACE_TEST_APT_PACKAGES:-python3-numpy python3-onnx python3-opencv shellcheck chromium fonts-dejavu-core afl++}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
bash scripts/setup.sh

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

echo "== build" >&2
dotnet build MogFace.Functions.sln -c Release --nologo -v quiet -clp:"ErrorsOnly;NoSummary"

# The host tier (tests/MogFace.Functions.Tests/HostTier) runs the published app (the folder the container image
# ships) under the real Azure Functions host, built from source by ../shared/functions-host and cached outside
# the repository (~2 min the first time, "up to date" afterwards).
echo "== publish the Functions app; build the Functions host" >&2
dotnet publish src/MogFace.Functions -c Release --no-build -o artifacts/functions --nologo -v quiet -clp:"ErrorsOnly;NoSummary"
export MOGFACE_FUNCHOST_DIR="${MOGFACE_FUNCHOST_DIR:-$HOME/.cache/funchost}"
bash ../shared/functions-host/build.sh "$MOGFACE_FUNCHOST_DIR" >&2

echo "== infra: bicep build + lint, Dockerfile lint" >&2
bash infra/check.sh
bash infra/lint-dockerfile.sh

echo "== test" >&2
status=0
dotnet test MogFace.Functions.sln -c Release --no-build --nologo -v quiet \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?

# Fuzzing (docs/fuzzing.md): the corpus replayed, then each target under AFL++ for a bounded time. Its targets count
# as tests: one passed or failed each, so a crash shows in the totals below and fails the run.
echo "== fuzz (${MOGFACE_FUZZ_SECONDS:-20} s per target)" >&2
fuzz_log="$results/fuzz.log"
FUZZ_SECONDS="${MOGFACE_FUZZ_SECONDS:-20}" bash scripts/fuzz.sh 2>&1 | tee "$fuzz_log" >&2 || status=1
fuzz_counts=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$fuzz_log" | tail -1)
read -r fuzz_passed fuzz_failed <<<"${fuzz_counts:-0 1}"

passed=$fuzz_passed
failed=$fuzz_failed
for trx in "$results"/*.trx; do
  [[ -f $trx ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1 # the runner failed without a test result (build or host crash): never report green
fi
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 ]]
