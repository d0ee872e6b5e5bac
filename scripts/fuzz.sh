#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with AFL++ and SharpFuzz (docs/fuzzing.md): image intake, the multipart
# reader, the pointer / manifest / heartbeat documents. Installs what is missing (afl++ from apt, the sharpfuzz
# tool from the local tool manifest), publishes fuzz/MogFace.Fuzz, instruments the product assemblies, replays
# each target's corpus (seeds and kept crashes), then fuzzes each target for FUZZ_SECONDS (default 120).
#
# Exit status: non-zero when a corpus file or a fuzzer-made input breaks a target's contract; each such input is
# printed with its path and a hex preview. The last line is "fuzz: N passed, M failed" (one per target), which
# ./test.sh adds to its totals. Hangs (an input slower than FUZZ_TIMEOUT_MS) are reported, not failed: on a
# shared machine a slow execution is not proof of one.
#
#   FUZZ_SECONDS=120 FUZZ_TARGETS="image multipart" scripts/fuzz.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

seconds="${FUZZ_SECONDS:-120}"
targets="${FUZZ_TARGETS:-image multipart pointer manifest heartbeat}"
timeout_ms="${FUZZ_TIMEOUT_MS:-5000}"
out="$root/artifacts/fuzz"
bin="$out/bin"
log() { echo "fuzz: $*" >&2; }

if ! command -v afl-fuzz >/dev/null; then
  MOGFACE_SETUP_TEST=1 MOGFACE_TEST_APT_PACKAGES="afl++" bash scripts/setup.sh
fi
dotnet tool restore >/dev/null

# A fresh publish every time: instrumentation rewrites the assemblies in place and refuses to run twice.
log "publishing fuzz/MogFace.Fuzz and instrumenting MogFace.* and ImageSharp"
rm -rf "$bin"
dotnet publish fuzz/MogFace.Fuzz -c Release -o "$bin" --nologo -v quiet -clp:"ErrorsOnly;NoSummary"
for assembly in MogFace.Engine MogFace.Registry MogFace.Http SixLabors.ImageSharp; do
  dotnet tool run sharpfuzz "$bin/$assembly.dll" >/dev/null
done

# AFL++ in a container: the target is dotnet (not an AFL-compiled binary), core dumps may go nowhere we control,
# and the two cores are shared, so no CPU pinning. The fork server starts only after the runtime (and a model) loads.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
  AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000

mkdir -p "$out/findings"
dotnet_path="$(command -v dotnet)"
hex_preview() { od -A x -t x1z -N 96 "$1" | sed 's/^/    /' >&2; }

passed=0
failed=0
for target in $targets; do
  corpus="fuzz/corpus/$target"
  findings="$out/findings/$target"
  rm -rf "$findings"
  ok=1

  # The corpus first: a seed or a kept regression case that fails is a regression, found without any fuzzing.
  if ! dotnet "$bin/MogFace.Fuzz.dll" "$target" --replay "$corpus"; then
    ok=0
  else
    dict=()
    [[ -f fuzz/dictionaries/$target.dict ]] && dict=(-x "fuzz/dictionaries/$target.dict")
    [[ $target =~ ^(pointer|manifest|heartbeat)$ ]] && dict=(-x fuzz/dictionaries/json.dict)
    log "$target: fuzzing for ${seconds}s"
    if ! afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t "$timeout_ms" -m none "${dict[@]}" \
      -- "$dotnet_path" "$bin/MogFace.Fuzz.dll" "$target" >"$out/$target.log" 2>&1; then
      log "$target: afl-fuzz failed; the end of its log:"
      tail -20 "$out/$target.log" >&2
      ok=0
    fi
    stats="$findings/default/fuzzer_stats"
    if [[ -f $stats ]]; then
      summary=$(awk -F' *: *' '$1 ~ /^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)$/ { printf "%s=%s ", $1, $2 }' "$stats")
      log "$target: $summary"
    fi
    shown=0
    for crash in "$findings"/default/crashes/id:*; do
      [[ -f $crash ]] || continue
      ok=0
      log "$target: CRASH $crash"
      hex_preview "$crash"
      # The first few replayed for their exception (each replay starts a runtime); the rest by path only.
      if ((shown++ < 3)); then
        (dotnet "$bin/MogFace.Fuzz.dll" "$target" <"$crash" || true) 2>&1 | grep -m 4 -E '^\s*(Unhandled|at MogFace)' | sed 's/^/    /' >&2 || true
      fi
    done
    for hang in "$findings"/default/hangs/id:*; do
      [[ -f $hang ]] && log "$target: slow input (over ${timeout_ms} ms, not failed) $hang"
    done
  fi
  if ((ok)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo "fuzz: $passed passed, $failed failed"
((failed == 0))
