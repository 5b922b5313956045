#!/usr/bin/env bash
# Makes the berth/registry image offline, from this host: a rootfs with the
# host's Node.js binary and the shared libraries it links, the compiled berth
# modules `berth registry serve` loads (found by tracing a run, not by hand)
# and the npm packages they need. Writes the rootfs tar to stdout, or with
# --import imports it into berthd as TAG with its config set.
#
#   scripts/make-registry-image.sh [--dist DIR] [--node PATH] [--tag TAG] [--import | --changes]
#
#   --dist DIR   compiled berth tree holding src/cli/entry.js (default: the repo's dist)
#   --node PATH  Node.js binary to ship (default: /usr/bin/node)
#   --tag TAG    image name for --import (default: berth/registry:latest)
#   --import     import the tar with `berth import` (BERTH_HOST picks the daemon)
#   --changes    print the image config (docker import --change values, one a line) and exit
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
repo=$(dirname "$here")
dist=$repo/dist
node=/usr/bin/node
tag=berth/registry:latest
mode=stdout
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$(readlink -f "${2:?--dist needs a directory}"); shift 2 ;;
    --node) node=${2:?--node needs a path}; shift 2 ;;
    --tag) tag=${2:?--tag needs a name}; shift 2 ;;
    --import) mode=import; shift ;;
    --changes) mode=changes; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-registry-image: unknown argument $1" >&2; exit 2 ;;
  esac
done

# The image config. The entry script takes extra `registry serve` flags as
# arguments (e.g. --htpasswd /auth/htpasswd), as the distribution image does.
changes=(
  'ENTRYPOINT ["/usr/local/bin/berth-registry"]'
  'EXPOSE 5000'
  'VOLUME /var/lib/registry'
  'WORKDIR /'
)
if [ "$mode" = changes ]; then
  printf '%s\n' "${changes[@]}"
  exit 0
fi

[ -x "$node" ] || { echo "make-registry-image: no Node.js binary at $node" >&2; exit 1; }
entry=$dist/src/cli/entry.js
[ -f "$entry" ] || { echo "make-registry-image: $entry not found: build berth first (npm run build)" >&2; exit 1; }
modules=$repo/node_modules
[ -d "$modules" ] || { echo "make-registry-image: $modules not found: run npm install" >&2; exit 1; }

root=$(mktemp -d)
trace=$(mktemp)
trap 'rm -rf "$root" "$trace"' EXIT
mkdir -p "$root"/{app,etc,tmp,root,proc,sys,dev,usr/bin,usr/local/bin,var/lib/registry}
chmod 755 "$root"
chmod 1777 "$root/tmp"

# Node and what the dynamic loader needs to start it, at the paths ldd names.
# Debug symbols are dropped: they are an eighth of the binary.
if command -v strip >/dev/null; then strip -o "$root/usr/bin/node" "$node"; else cp "$node" "$root/usr/bin/node"; fi
chmod 755 "$root/usr/bin/node"
for lib in $(ldd "$node" | grep -oE '/[^ ]+' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# The compiled modules and npm packages: every file a `registry serve --help`
# run resolves (the CLI loads all its command modules up front, so this is the
# whole graph; the registry itself needs only bcryptjs, the other commands'
# modules need tar-stream and its dependencies to load).
BERTH_TRACE_OUT=$trace "$node" --import "$here/registry-image/trace.mjs" "$entry" registry serve --help >/dev/null
packages=()
while read -r url; do
  file=${url#file://}
  case "$file" in
    "$dist"/src/*)
      rel=${file#"$dist"/}
      mkdir -p "$root/app/dist/$(dirname "$rel")"
      cp "$file" "$root/app/dist/$rel"
      ;;
    */node_modules/*)
      name=${file##*/node_modules/}
      case "$name" in @*/*) name=${name%%/*}/$(cut -d/ -f2 <<<"$name") ;; *) name=${name%%/*} ;; esac
      packages+=("$name")
      ;;
  esac
done < <(sort -u "$trace")
[ -f "$root/app/dist/src/cli/entry.js" ] || { echo "make-registry-image: tracing $entry found nothing" >&2; exit 1; }
# The compiled files are ES modules, which Node knows by the nearest package.json.
printf '{ "type": "module", "private": true }\n' >"$root/app/package.json"

# npm packages: those the trace loaded from (whole, for their package.json and
# any file they load later).
for pkg in $(printf '%s\n' "${packages[@]}" | sort -u); do
  mkdir -p "$root/app/node_modules/$(dirname "$pkg")"
  cp -r "$modules/$pkg" "$root/app/node_modules/$pkg"
done

install -m 755 "$here/registry-image/berth-registry" "$root/usr/local/bin/berth-registry"
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

tarball() {
  tar --numeric-owner --owner=0 --group=0 --mtime='2024-01-01 00:00:00' --sort=name -C "$root" -cf - .
}
if [ "$mode" = import ]; then
  args=()
  for c in "${changes[@]}"; do args+=(--change "$c"); done
  tarball | "$node" "$dist/src/cli/entry.js" import "${args[@]}" - "$tag"
else
  tarball
fi
