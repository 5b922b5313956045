#!/usr/bin/env bash
# Build benchmark: a 10-instruction Dockerfile on busybox with a ~50 MB context of many small
# files, built cold (--no-cache), fully cached (median of 3) and after changing one file.
# Berth is measured twice, each time on a fresh private berthd (from dist/ or $BERTH_BUILD):
# driven by the docker CLI (classic builder, whole context sent each time) and by `berth build`
# (build sessions: only changed files are sent). When a reference Docker answers at
# unix:///tmp/dockerd.sock, the same suite runs there (--network none; that daemon is never
# stopped) and berth/docker ratios are printed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BERTH_BUILD:-$repo/dist}
work=$(mktemp -d /tmp/berth-bench-build.XXXXXX)
sock=$work/run/berth.sock
daemon_pid=""
stop_daemon() {
  if [ -n "$daemon_pid" ]; then
    kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=""
  fi
  rm -rf "$work/data" "$work/run"
}
cleanup() {
  stop_daemon
  rm -rf "$work"
}
trap cleanup EXIT

# Context: 2,500 files of 20 kB (50 MB) in 50 directories.
ctx=$work/ctx
for d in $(seq 1 50); do
  mkdir -p "$ctx/src/d$d"
  for f in $(seq 1 50); do head -c 20000 /dev/urandom > "$ctx/src/d$d/f$f.bin"; done
done
cat > "$ctx/Dockerfile" <<'DF'
FROM busybox:latest
ENV APP=/app
WORKDIR /app
LABEL bench=build
COPY src/d1 /app/first/
RUN echo prepare > /prepared
COPY src /app/src/
RUN ls -R /app/src | wc -l > /count
EXPOSE 8080
CMD ["sh"]
DF

export DOCKER_BUILDKIT=0
now() { date +%s.%N; }
timed() {
  local t0
  t0=$(now)
  "$@" > "$work/last.log" 2>&1 || { echo "bench: failed: $*" >&2; tail -5 "$work/last.log" >&2; exit 1; }
  echo "$(now) - $t0" | bc
}
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

docker_build() { docker build --network none "$@"; }
berth_build() { BERTH_HOST=$DOCKER_HOST node "$build/src/cli/entry.js" build --network none "$@"; }

run_suite() { # $1 = build function; DOCKER_HOST set. Prints "cold cached changed".
  local b=$1 tag="bench-build-$$" cold c1 c2 c3 changed
  cold=$(timed "$b" --no-cache -t "$tag" "$ctx")
  c1=$(timed "$b" -t "$tag" "$ctx")
  c2=$(timed "$b" -t "$tag" "$ctx")
  c3=$(timed "$b" -t "$tag" "$ctx")
  head -c 20000 /dev/urandom > "$ctx/src/d50/f50.bin"
  changed=$(timed "$b" -t "$tag" "$ctx")
  docker rmi "$tag" > /dev/null 2>&1 || true
  echo "$cold $(median3 "$c1" "$c2" "$c3") $changed"
}

start_daemon() {
  mkdir -p "$work/run"
  node "$build/src/daemon/entry.js" --data-root "$work/data" --exec-root "$work/run" -H "unix://$sock" \
    --bridge-name berthbbench0 --bip "${BENCH_BIP:-10.238.0.1/24}" --iptables-chain-prefix BERTHBB \
    --cleanup-network-on-exit > "$work/berthd.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 300); do [ -S "$sock" ] && break; sleep 0.05; done
  [ -S "$sock" ] || { echo "bench: berthd did not start:" >&2; cat "$work/berthd.log" >&2; exit 1; }
  export DOCKER_HOST=unix://$sock
  "$repo/scripts/make-busybox-rootfs.sh" | docker import - busybox:latest > /dev/null
}

row() { printf '%-22s cold %6.2fs  cached %6.2fs  one file changed %6.2fs\n' "$1" "$2" "$3" "$4"; }

start_daemon
read -r a_cold a_cached a_changed < <(run_suite docker_build)
stop_daemon
row "berthd, docker CLI:" "$a_cold" "$a_cached" "$a_changed"
start_daemon
read -r b_cold b_cached b_changed < <(run_suite berth_build)
stop_daemon
row "berthd, berth build:" "$b_cold" "$b_cached" "$b_changed"

export DOCKER_HOST=unix:///tmp/dockerd.sock
if timeout 5 docker version > /dev/null 2>&1; then
  if ! docker image inspect busybox:latest > /dev/null 2>&1; then
    "$repo/scripts/make-busybox-rootfs.sh" | docker import - busybox:latest > /dev/null
  fi
  read -r d_cold d_cached d_changed < <(run_suite docker_build)
  row "Docker $(docker version -f '{{.Server.Version}}'):" "$d_cold" "$d_cached" "$d_changed"
  r() { echo "$1 / $2" | bc -l; }
  printf 'ratio berth/docker, docker CLI:  cold %.2f  cached %.2f  changed %.2f\n' \
    "$(r "$a_cold" "$d_cold")" "$(r "$a_cached" "$d_cached")" "$(r "$a_changed" "$d_changed")"
  printf 'ratio berth/docker, berth build: cold %.2f  cached %.2f  changed %.2f\n' \
    "$(r "$b_cold" "$d_cold")" "$(r "$b_cached" "$d_cached")" "$(r "$b_changed" "$d_changed")"
else
  echo "no reference daemon at unix:///tmp/dockerd.sock: absolute times only"
fi
