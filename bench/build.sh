#!/usr/bin/env bash
# Build benchmark: a 10-instruction Dockerfile on busybox with a ~50 MB context of many small
# files, built cold, fully cached, and after changing one file. Runs against a private berthd
# (from dist/ or $BERTH_BUILD) and, when one answers at unix:///tmp/dockerd.sock, against that
# reference Docker daemon too (builds there use --network none; that daemon is never stopped).
# Prints absolute times and, with the reference, berth/docker ratios.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BERTH_BUILD:-$repo/dist}
work=$(mktemp -d /tmp/berth-bench-build.XXXXXX)
sock=$work/run/berth.sock
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
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
timed() { local t0; t0=$(now); "$@" > "$work/last.log" 2>&1 || { echo "bench: failed: $*" >&2; tail -5 "$work/last.log" >&2; exit 1; }; echo "$(now) - $t0" | bc; }

run_suite() { # $1 = DOCKER_HOST, prints "cold cached changed"
  local host=$1 tag="bench-build-$$"
  export DOCKER_HOST=$host
  local cold cached changed
  cold=$(timed docker build --network none --no-cache -t "$tag" "$ctx")
  cached=$(timed docker build --network none -t "$tag" "$ctx")
  head -c 20000 /dev/urandom > "$ctx/src/d50/f50.bin"
  changed=$(timed docker build --network none -t "$tag" "$ctx")
  docker rmi "$tag" > /dev/null 2>&1 || true
  echo "$cold $cached $changed"
}

mkdir -p "$work/run"
node "$build/src/daemon/entry.js" --data-root "$work/data" --exec-root "$work/run" -H "unix://$sock" \
  --bridge-name berthbbench0 --bip "${BENCH_BIP:-10.238.0.1/24}" --iptables-chain-prefix BERTHBB \
  --cleanup-network-on-exit > "$work/berthd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 1 300); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { echo "bench: berthd did not start:" >&2; cat "$work/berthd.log" >&2; exit 1; }
"$repo/scripts/make-busybox-rootfs.sh" | DOCKER_HOST=unix://$sock docker import - busybox:latest > /dev/null

read -r b_cold b_cached b_changed < <(run_suite "unix://$sock")
printf 'berth : cold %6.2fs  cached %6.2fs  one file changed %6.2fs\n' "$b_cold" "$b_cached" "$b_changed"

if DOCKER_HOST=unix:///tmp/dockerd.sock timeout 5 docker version > /dev/null 2>&1; then
  if ! DOCKER_HOST=unix:///tmp/dockerd.sock docker image inspect busybox:latest > /dev/null 2>&1; then
    "$repo/scripts/make-busybox-rootfs.sh" | DOCKER_HOST=unix:///tmp/dockerd.sock docker import - busybox:latest > /dev/null
  fi
  read -r d_cold d_cached d_changed < <(run_suite "unix:///tmp/dockerd.sock")
  printf 'docker: cold %6.2fs  cached %6.2fs  one file changed %6.2fs\n' "$d_cold" "$d_cached" "$d_changed"
  printf 'ratio berth/docker: cold %.2f  cached %.2f  changed %.2f\n' \
    "$(echo "$b_cold / $d_cold" | bc -l)" "$(echo "$b_cached / $d_cached" | bc -l)" "$(echo "$b_changed / $d_changed" | bc -l)"
else
  echo "no reference daemon at unix:///tmp/dockerd.sock: absolute times only"
fi
