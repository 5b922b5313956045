# Shared helpers for Berth's benchmarks: a private berthd, timing, medians, ratios.
# Benchmarks report ratios against a floor measured in the same run, never bare times.
set -u
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Starts a private berthd; sets BERTH_SOCK, DOCKER_HOST, BENCH_TMP.
bench_daemon_start() {
  BENCH_TMP=$(mktemp -d /var/tmp/berth-bench.XXXXXX)
  BERTH_SOCK="$BENCH_TMP/run/berth.sock"
  # BERTH_BUILD=.build/NAME runs another build of the tree (relative to the repo root).
  node "$BENCH_ROOT/${BERTH_BUILD:-dist}/src/daemon/entry.js" --data-root "$BENCH_TMP/data" --exec-root "$BENCH_TMP/run" \
    -H "unix://$BERTH_SOCK" --bridge-name berthbench0 --bip "${BENCH_BIP:-10.231.0.1/24}" \
    --iptables-chain-prefix BERTHBENCH --cleanup-network-on-exit >"$BENCH_TMP/berthd.log" 2>&1 &
  BERTHD_PID=$!
  for _ in $(seq 200); do [ -S "$BERTH_SOCK" ] && break; sleep 0.05; done
  [ -S "$BERTH_SOCK" ] || { echo "bench: berthd did not start:" >&2; cat "$BENCH_TMP/berthd.log" >&2; exit 1; }
  export DOCKER_HOST="unix://$BERTH_SOCK"
}

bench_daemon_stop() {
  kill "$BERTHD_PID" 2>/dev/null; wait "$BERTHD_PID" 2>/dev/null
  rm -rf "$BENCH_TMP"
}

# time_ms CMD...: runs CMD, prints elapsed milliseconds (fails if CMD fails).
time_ms() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>>"${BENCH_ERRLOG:-/dev/null}" || return 1
  local t1=$EPOCHREALTIME
  echo $(( (${t1/./} - ${t0/./}) / 1000 ))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# measure ARRAY CMD...: appends CMD's time in ms to ARRAY; a failing CMD ends the benchmark.
measure() {
  local -n _samples=$1; shift
  local v
  v=$(time_ms "$@") || { echo "bench: failed: $*" >&2; exit 1; }
  _samples+=("$v")
}
