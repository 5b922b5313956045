#!/usr/bin/env bash
# Container lifecycle through the docker CLI against a private berthd, as ratios to
# the floor: `runc run` of the same busybox bundle (no network), measured in the same run.
# Reports: run --rm, create/start/stop/rm, exec, ps -a with 50 containers, and the
# memory of berthd and of each container's monitor (conmon).
# BENCH_HOST=unix:///… measures another engine (e.g. Docker) instead.
set -u
. "$(dirname "$0")/lib.sh"
n=${BENCH_N:-20}
if [ -n "${BENCH_HOST:-}" ]; then
  export DOCKER_HOST=$BENCH_HOST; BENCH_TMP=$(mktemp -d /var/tmp/berth-bench.XXXXXX); trap 'rm -rf "$BENCH_TMP"' EXIT
else
  bench_daemon_start; trap bench_daemon_stop EXIT
fi
net=(--network none)
"$BENCH_ROOT/scripts/make-busybox-rootfs.sh" >"$BENCH_TMP/busybox.tar"
docker image inspect bench-busybox >/dev/null 2>&1 || docker import "$BENCH_TMP/busybox.tar" bench-busybox >/dev/null

# The floor: runc run of a bundle made from the same rootfs.
bundle="$BENCH_TMP/bundle"; mkdir -p "$bundle/rootfs"; tar -C "$bundle/rootfs" -xf "$BENCH_TMP/busybox.tar"
(cd "$bundle" && runc spec && jq '.process.terminal=false | .process.args=["/bin/true"]' config.json >c && mv c config.json)
floor=()
for ((i = 0; i < n; i++)); do measure floor runc --root "$BENCH_TMP/runc" run --bundle "$bundle" "floor$i"; done
f=$(median "${floor[@]}")
echo "floor: runc run true, median ${f} ms over $n runs"

runrm=(); create=(); start=(); stop=(); rm_=(); execs=()
for ((i = 0; i < n; i++)); do measure runrm docker run --rm "${net[@]}" bench-busybox true; done
for ((i = 0; i < n; i++)); do
  measure create docker create "${net[@]}" --name "bench$i" bench-busybox sleep 100
  measure start docker start "bench$i"
  measure execs docker exec "bench$i" true
  measure stop docker stop -t 0 "bench$i"
  measure rm_ docker rm "bench$i"
done
printf 'run --rm / floor:  %s\n' "$(ratio "$(median "${runrm[@]}")" "$f")"
printf 'create / floor:    %s\n' "$(ratio "$(median "${create[@]}")" "$f")"
printf 'start / floor:     %s\n' "$(ratio "$(median "${start[@]}")" "$f")"
printf 'exec / floor:      %s\n' "$(ratio "$(median "${execs[@]}")" "$f")"
printf 'stop -t0 / floor:  %s\n' "$(ratio "$(median "${stop[@]}")" "$f")"
printf 'rm / floor:        %s\n' "$(ratio "$(median "${rm_[@]}")" "$f")"

for ((i = 0; i < 50; i++)); do docker run -d "${net[@]}" --label bench=ps bench-busybox sleep 300 >/dev/null; done
ps50=(); for ((i = 0; i < n; i++)); do measure ps50 docker ps -a; done
printf 'ps -a with 50 running / floor: %s\n' "$(ratio "$(median "${ps50[@]}")" "$f")"
if [ -z "${BENCH_HOST:-}" ]; then
  daemon_kb=$(awk '/VmRSS/ {print $2}' "/proc/$BERTHD_PID/status")
  monitors=$(pgrep -x conmon | xargs -r -n1 sh -c 'awk "/VmRSS/ {print \$2}" /proc/$0/status' | sort -n)
  printf 'berthd RSS with 50 running: %s kB\n' "$daemon_kb"
  printf 'conmon RSS per container (median): %s kB\n' "$(median $monitors)"
fi
docker ps -aq --filter label=bench=ps | xargs -r docker rm -f >/dev/null
