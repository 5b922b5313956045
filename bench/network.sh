#!/usr/bin/env bash
# Container networking against a private berthd, as ratios measured in the same run:
#  - `run --rm` on the default bridge (veth, address, rules, /etc files) over the floor,
#    `runc run` of the same busybox bundle;
#  - throughput through a published port on 127.0.0.1 (DNAT) over a direct connection
#    to the container's bridge address, both directions, one stream of BENCH_MB MiB per run.
# Traffic goes only to 127.0.0.1 and to the bridge this script's daemon made.
# BENCH_HOST=unix:///… measures another engine (e.g. Docker) instead.
set -u
. "$(dirname "$0")/lib.sh"
n=${BENCH_N:-20}
mb=${BENCH_MB:-512}
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

# Throughput: one TCP stream of $mb MiB per run, the same node program at both ends, through
# the two paths: straight to the container's bridge address, and to 127.0.0.1:published port.
# The container runs the host's node (bind-mounted with its libraries) so neither end is a
# small-buffer tool that would cap both paths alike and hide the cost of the NAT path.
# Port 5000 sends $mb MiB to each client (container -> host); port 5001 reads each client's
# stream to its end, then closes (host -> container).
node_bin=$(readlink -f "$(command -v node)")
libdir=$(dirname "$(readlink -f "$(ldconfig -p | awk '/libc\.so\.6 .*x86-64/ { print $NF; exit }')")")
docker run -d --name bench-sink -p 127.0.0.1::5000 -p 127.0.0.1::5001 \
  -v "$node_bin:/usr/bin/node:ro" -v "$libdir:/lib/x86_64-linux-gnu:ro" \
  -v "$(dirname "$(readlink -f /lib64/ld-linux-x86-64.so.2)"):/lib64:ro" bench-busybox /usr/bin/node -e '
    const net = require("net");
    const chunk = Buffer.alloc(1 << 20);
    const mb = Number(process.argv[1]);
    net.createServer((s) => {
      s.on("error", () => {});
      let left = mb;
      const pump = () => { while (left > 0) { left--; if (!s.write(chunk)) return s.once("drain", pump); } s.end(); };
      pump();
    }).listen(5000);
    net.createServer((s) => { s.on("error", () => {}); s.resume(); }).listen(5001);
  ' "$mb" >/dev/null
ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' bench-sink)
port_of() { docker port bench-sink "$1/tcp" | head -1 | sed 's/.*://'; }
down_port=$(port_of 5000); up_port=$(port_of 5001)
# xfer down|up HOST PORT: moves $mb MiB over one connection, prints the milliseconds from connect
# until the peer's FIN, after checking every byte arrived (down) or was sent (up).
xfer() {
  node -e '
    const net = require("net");
    const [dir, host, port, mb] = process.argv.slice(1);
    const want = Number(mb) * 1048576;
    const chunk = Buffer.alloc(1 << 20);
    const t0 = process.hrtime.bigint();
    let got = 0;
    const s = net.connect(Number(port), host, () => {
      if (dir !== "up") return;
      let left = Number(mb);
      const pump = () => { while (left > 0) { left--; if (!s.write(chunk)) return s.once("drain", pump); } s.end(); };
      pump();
    });
    s.on("data", (b) => { got += b.length; });
    s.on("error", (e) => { console.error(e.message); process.exit(1); });
    s.on("end", () => {
      const n = dir === "up" ? s.bytesWritten : got;
      if (n !== want) { console.error(`${dir} ${host}:${port}: ${n} of ${want} bytes`); process.exit(1); }
      console.log(Number((process.hrtime.bigint() - t0) / 1000n) / 1000);
    });
  ' "$@" "$mb"
}
for _ in $(seq 50); do xfer down "$ip" 5000 >/dev/null 2>&1 && break; sleep 0.1; done
runs=${BENCH_RUNS:-5}
mibs() { awk -v m="$mb" -v t="$1" 'BEGIN { printf "%.0f", m / (t / 1000) }'; }
for dir in down up; do
  if [ $dir = down ]; then pport=$down_port; cport=5000; what='container -> host'; else pport=$up_port; cport=5001; what='host -> container'; fi
  xfer $dir "$ip" $cport >/dev/null && xfer $dir 127.0.0.1 "$pport" >/dev/null || exit 1 # warm-up
  direct=(); published=()
  for ((i = 0; i < runs; i++)); do
    v=$(xfer $dir "$ip" $cport) || exit 1; direct+=("$v")
    v=$(xfer $dir 127.0.0.1 "$pport") || exit 1; published+=("$v")
  done
  d=$(median "${direct[@]}"); p=$(median "${published[@]}")
  printf '%s, %s MiB x %s runs: direct to %s:%s %s MiB/s, published 127.0.0.1:%s %s MiB/s\n' \
    "$what" "$mb" "$runs" "$ip" $cport "$(mibs "$d")" "$pport" "$(mibs "$p")"
  if [ $dir = down ]; then
    printf 'published / direct throughput: %s\n' "$(ratio "$d" "$p")"
  else
    printf 'published / direct throughput (host -> container): %s\n' "$(ratio "$d" "$p")"
  fi
done
