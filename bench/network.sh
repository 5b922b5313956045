#!/usr/bin/env bash
# Container networking against a private berthd, as ratios measured in the same run:
#  - `run --rm` on the default bridge (veth, address, rules, /etc files) over the floor,
#    `runc run` of the same busybox bundle;
#  - throughput through a published port on 127.0.0.1 (DNAT) over a direct connection
#    to the container's bridge address.
# Traffic goes only to 127.0.0.1 and to the bridge this script's daemon made.
# BENCH_HOST=unix:///… measures another engine (e.g. Docker) instead.
set -u
. "$(dirname "$0")/lib.sh"
n=${BENCH_N:-20}
mb=${BENCH_MB:-200}
if [ -n "${BENCH_HOST:-}" ]; then
  export DOCKER_HOST=$BENCH_HOST; BENCH_TMP=$(mktemp -d /var/tmp/berth-bench.XXXXXX); trap 'rm -rf "$BENCH_TMP"' EXIT
else
  bench_daemon_start; trap 'docker rm -f bench-sink >/dev/null 2>&1; bench_daemon_stop' EXIT
fi
"$BENCH_ROOT/scripts/make-busybox-rootfs.sh" >"$BENCH_TMP/busybox.tar"
docker image inspect bench-busybox >/dev/null 2>&1 || docker import "$BENCH_TMP/busybox.tar" bench-busybox >/dev/null

bundle="$BENCH_TMP/bundle"; mkdir -p "$bundle/rootfs"; tar -C "$bundle/rootfs" -xf "$BENCH_TMP/busybox.tar"
(cd "$bundle" && runc spec && jq '.process.terminal=false | .process.args=["/bin/true"]' config.json >c && mv c config.json)
floor=()
for ((i = 0; i < n; i++)); do measure floor runc --root "$BENCH_TMP/runc" run --bundle "$bundle" "floor$i"; done
f=$(median "${floor[@]}")
echo "floor: runc run true, median ${f} ms over $n runs"

runrm=()
for ((i = 0; i < n; i++)); do measure runrm docker run --rm bench-busybox true; done
printf 'run --rm (default bridge) / floor: %s\n' "$(ratio "$(median "${runrm[@]}")" "$f")"

# A sink that reads and drops one connection at a time.
docker run -d --name bench-sink -p 127.0.0.1::5000 bench-busybox \
  sh -c 'while true; do nc -l -p 5000 >/dev/null; done' >/dev/null
ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' bench-sink)
port=$(docker port bench-sink 5000/tcp | head -1 | sed 's/.*://')
# send HOST PORT: writes $mb MiB, prints the milliseconds until the sink closed the connection.
send() {
  node -e '
    const net = require("net");
    const [host, port, mb] = process.argv.slice(1);
    const chunk = Buffer.alloc(1 << 20);
    let left = Number(mb);
    const t0 = process.hrtime.bigint();
    const s = net.connect(Number(port), host, () => {
      const pump = () => { while (left > 0) { left--; if (!s.write(chunk)) return s.once("drain", pump); } s.end(); };
      pump();
    });
    s.on("error", (e) => { console.error(e.message); process.exit(1); });
    s.on("close", () => console.log(Number((process.hrtime.bigint() - t0) / 1000000n)));
  ' "$1" "$2" "$mb"
}
sleep 0.3
direct=(); published=()
for ((i = 0; i < 5; i++)); do
  direct+=("$(send "$ip" 5000)"); sleep 0.1
  published+=("$(send 127.0.0.1 "$port")"); sleep 0.1
done
d=$(median "${direct[@]}"); p=$(median "${published[@]}")
printf 'direct to %s: %s MiB/s\n' "$ip" "$(awk -v m="$mb" -v t="$d" 'BEGIN { printf "%.0f", m / (t / 1000) }')"
printf 'published 127.0.0.1:%s: %s MiB/s\n' "$port" "$(awk -v m="$mb" -v t="$p" 'BEGIN { printf "%.0f", m / (t / 1000) }')"
printf 'published / direct throughput: %s\n' "$(ratio "$d" "$p")"
