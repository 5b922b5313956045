#!/usr/bin/env bash
# Image import/save/load of a debootstrap Debian rootfs (~120-200 MB), through the
# docker CLI against a private berthd, as ratios to `tar -x` of the same tar on the
# same disk (the floor). Usage: bench/images.sh [ROOTFS_DIR] (default /tmp/deb-rootfs;
# made with debootstrap --variant=minbase bookworm when absent). BENCH_HOST=unix:///… measures
# another engine instead of a private berthd.
set -u
. "$(dirname "$0")/lib.sh"
n=${BENCH_N:-3}
rootfs=${1:-/tmp/deb-rootfs}
if [ ! -d "$rootfs" ]; then
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null || exit 1
fi
if [ -n "${BENCH_HOST:-}" ]; then  # another engine, e.g. unix:///tmp/dockerd.sock
  export DOCKER_HOST=$BENCH_HOST; BENCH_TMP=$(mktemp -d /var/tmp/berth-bench.XXXXXX); trap 'rm -rf "$BENCH_TMP"' EXIT
else
  bench_daemon_start; trap bench_daemon_stop EXIT
fi
tar="$BENCH_TMP/debian-rootfs.tar"
tar --numeric-owner -C "$rootfs" --exclude=./var/cache/apt/archives --exclude=./var/lib/apt/lists -cf "$tar" .
saved="$BENCH_TMP/saved.tar"
untar=(); imp=(); sav=(); lod=()
for ((i = 0; i < n; i++)); do
  sync; rm -rf "$BENCH_TMP/x"; mkdir "$BENCH_TMP/x"
  # The floor writes the same files durably, as an engine must: tar -x then sync.
  measure untar sh -c "tar -x --numeric-owner -C \"$BENCH_TMP/x\" -f \"$tar\" && sync"
  rm -rf "$BENCH_TMP/x"
  docker rmi -f bench-debian >/dev/null 2>&1; sync
  measure imp docker import "$tar" bench-debian
  rm -f "$saved"; sync
  measure sav docker save -o "$saved" bench-debian
  docker rmi -f bench-debian >/dev/null; sync
  measure lod docker load -i "$saved"
done
floor=$(median "${untar[@]}")
printf 'tar bytes: %s; runs: %s; floor (tar -x + sync) median: %s ms\n' "$(stat -c %s "$tar")" "$n" "$floor"
printf 'import / (tar -x + sync): %s\n' "$(ratio "$(median "${imp[@]}")" "$floor")"
printf 'save   / (tar -x + sync): %s\n' "$(ratio "$(median "${sav[@]}")" "$floor")"
printf 'load   / (tar -x + sync): %s\n' "$(ratio "$(median "${lod[@]}")" "$floor")"
