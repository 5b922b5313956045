#!/usr/bin/env bash
# Registry benchmark: push then pull of a Debian image (the debootstrap rootfs in
# /tmp/deb-rootfs, ~200 MB, imported as one layer) to a local registry on 127.0.0.1
# (Debian's docker-registry, fresh storage per run so both transfers are cold), through
# the docker CLI against a private berthd (from dist/ or $BERTH_BUILD). When the reference
# Docker daemon answers at unix:///tmp/dockerd.sock, the same is done there (never stopping it)
# and berth/docker ratios are printed; otherwise MB/s of the uncompressed tar.
# Usage: bench/registry.sh [ROOTFS_DIR]
set -u
. "$(dirname "$0")/lib.sh"
rootfs=${1:-/tmp/deb-rootfs}
build=${BERTH_BUILD:-$BENCH_ROOT/dist}
ref_sock=/tmp/dockerd.sock
command -v docker-registry >/dev/null || { echo "bench: needs docker-registry (apt-get install docker-registry)" >&2; exit 1; }
[ -d "$rootfs" ] || { echo "bench: no rootfs at $rootfs" >&2; exit 1; }

BENCH_TMP=$(mktemp -d /var/tmp/berth-bench-registry.XXXXXX)
BERTH_SOCK=$BENCH_TMP/run/berth.sock
berthd_pid=""
# run_engine runs in a subshell: the registry's PID goes through a file.
stop_registry() {
  [ -f "$BENCH_TMP/reg.pid" ] || return 0
  local pid; pid=$(cat "$BENCH_TMP/reg.pid")
  kill "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  rm -f "$BENCH_TMP/reg.pid"
}
cleanup() {
  stop_registry
  [ -n "$berthd_pid" ] && kill "$berthd_pid" 2>/dev/null && wait "$berthd_pid" 2>/dev/null
  if [ -S "$ref_sock" ]; then
    DOCKER_HOST=unix://$ref_sock docker rmi -f bench-registry-debian "127.0.0.1:${port:-0}/bench/debian:latest" >/dev/null 2>&1
  fi
  rm -rf "$BENCH_TMP"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
name=127.0.0.1:$port/bench/debian:latest

# A fresh registry (new storage) for each engine, so every push uploads everything.
start_registry() {
  stop_registry
  rm -rf "$BENCH_TMP/reg"; mkdir -p "$BENCH_TMP/reg"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$BENCH_TMP/reg/data" "$port" > "$BENCH_TMP/reg/config.yml"
  docker-registry serve "$BENCH_TMP/reg/config.yml" >"$BENCH_TMP/reg/log" 2>&1 &
  echo $! > "$BENCH_TMP/reg.pid"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && return; sleep 0.05; done
  echo "bench: docker-registry did not start" >&2; cat "$BENCH_TMP/reg/log" >&2; exit 1
}

tar="$BENCH_TMP/debian.tar"
tar --numeric-owner -C "$rootfs" --exclude=./var/cache/apt/archives --exclude=./var/lib/apt/lists -cf "$tar" .
# A file unique to this run makes the layer new to both engines (no "Already exists" from older images).
mkdir -p "$BENCH_TMP/uniq" && head -c 64 /dev/urandom | base64 > "$BENCH_TMP/uniq/.bench-registry-id"
tar --numeric-owner -C "$BENCH_TMP/uniq" -rf "$tar" ./.bench-registry-id
bytes=$(stat -c %s "$tar")

# run_engine HOST: prints "push_ms pull_ms"
run_engine() {
  export DOCKER_HOST=$1
  docker rmi -f bench-registry-debian "$name" >/dev/null 2>&1
  docker import "$tar" bench-registry-debian >/dev/null || { echo "bench: import failed" >&2; exit 1; }
  docker tag bench-registry-debian "$name"
  start_registry
  sync
  local push pull
  push=$(time_ms docker push "$name") || { echo "bench: push failed on $1" >&2; exit 1; }
  docker rmi -f bench-registry-debian "$name" >/dev/null
  sync
  pull=$(time_ms docker pull "$name") || { echo "bench: pull failed on $1" >&2; exit 1; }
  docker rmi -f "$name" >/dev/null
  stop_registry
  echo "$push $pull"
}

node "$build/src/daemon/entry.js" --data-root "$BENCH_TMP/data" --exec-root "$BENCH_TMP/run" \
  -H "unix://$BERTH_SOCK" --bridge-name berthbench1 --bip "${BENCH_BIP:-10.232.0.1/24}" \
  --iptables-chain-prefix BERTHBREG --cleanup-network-on-exit >"$BENCH_TMP/berthd.log" 2>&1 &
berthd_pid=$!
for _ in $(seq 200); do [ -S "$BERTH_SOCK" ] && break; sleep 0.05; done
[ -S "$BERTH_SOCK" ] || { echo "bench: berthd did not start:" >&2; cat "$BENCH_TMP/berthd.log" >&2; exit 1; }

read -r b_push b_pull < <(run_engine "unix://$BERTH_SOCK")
[ -n "${b_pull:-}" ] || { echo "bench: the berth run failed" >&2; exit 1; }
mbs() { awk -v b="$bytes" -v ms="$1" 'BEGIN { printf "%.1f", b / 1e6 / (ms / 1000) }'; }
printf 'image tar: %s bytes\n' "$bytes"
printf 'berth:  push %s ms (%s MB/s), pull %s ms (%s MB/s)\n' "$b_push" "$(mbs "$b_push")" "$b_pull" "$(mbs "$b_pull")"
if curl -sf --unix-socket "$ref_sock" http://x/_ping >/dev/null 2>&1; then
  read -r d_push d_pull < <(run_engine "unix://$ref_sock")
  [ -n "${d_pull:-}" ] || { echo "bench: the docker run failed" >&2; exit 1; }
  printf 'docker: push %s ms (%s MB/s), pull %s ms (%s MB/s)\n' "$d_push" "$(mbs "$d_push")" "$d_pull" "$(mbs "$d_pull")"
  printf 'push berth/docker: %s\n' "$(ratio "$b_push" "$d_push")"
  printf 'pull berth/docker: %s\n' "$(ratio "$b_pull" "$d_pull")"
fi
