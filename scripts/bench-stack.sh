# shellcheck shell=bash
# Sourced by the benchmark scripts (bench-hosts.sh, soak.sh): a scratch folder and background processes that go away
# on exit, and an in-memory Azurite on the ports given. Sets: work, pids, storage.
# shellcheck disable=SC2034 # the variables are for the scripts that source this file

work="$(mktemp -d)"
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap bench_cleanup EXIT

# bench_azurite BLOB_PORT: starts Azurite (blob, queue and table on BLOB_PORT and the two after it), waits until the
# blob endpoint answers, and sets $storage to its connection string.
bench_azurite() {
  local blob=$1
  storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((blob + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((blob + 2))/devstoreaccount1;"
  node_modules/.bin/azurite --blobHost 127.0.0.1 --blobPort "$blob" --queuePort $((blob + 1)) --tablePort $((blob + 2)) \
    --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent >"$work/azurite.log" 2>&1 &
  pids+=($!)
  until curl -s -o /dev/null "http://127.0.0.1:$blob/"; do sleep 0.2; done
}
