# shellcheck shell=bash
# Sourced by run.sh and setup.sh: long steps say what they do, and every 15 s that they are still at it, so a
# first run (npm install, builds, the Functions host build, the first model load) never looks hung.
# Needs a `log` function in the sourcing script.

heartbeat_pid=""

# Prints "… still <what> (N s)" every ${MOGFACE_HEARTBEAT_S:-15} s until stopped.
start_heartbeat() {
  local what=$1 every=${MOGFACE_HEARTBEAT_S:-15} started=$SECONDS
  (
    # The pending sleep ends with the loop, so nothing is left behind when the step finishes.
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$every" &
      nap=$!
      wait "$nap"
      log "… still ${what} ($((SECONDS - started)) s)"
    done
  ) &
  heartbeat_pid=$!
}

stop_heartbeat() {
  [[ -n $heartbeat_pid ]] || return 0
  kill "$heartbeat_pid" 2>/dev/null || true
  wait "$heartbeat_pid" 2>/dev/null || true
  heartbeat_pid=""
}

# step "<what it is doing> (<hint>)" command…: logs it, runs the command with a heartbeat (which repeats what,
# not the hint), logs how long it took.
step() {
  local what=$1 started=$SECONDS rc=0
  shift
  log "${what}"
  start_heartbeat "${what%% (*}"
  "$@" || rc=$?
  stop_heartbeat
  # Only after steps long enough to have been worth a heartbeat: short ones need no epilogue.
  ((rc == 0 && SECONDS - started >= 10)) && log "done in $((SECONDS - started)) s"
  return "$rc"
}
