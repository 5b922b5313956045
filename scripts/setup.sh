#!/usr/bin/env bash
# Installs what Berth needs (Debian packages, npm packages), builds it, and
# puts `berth` and `berthd` on the PATH. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(runc conmon iptables iproute2 busybox-static tini jq curl tmux skopeo docker-registry bzip2 xz-utils zstd git)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  # npm ci refuses this lock file (npm leaves out the other platforms' optional packages).
  npm install --no-audit --no-fund --loglevel=error
fi
[ -f native/build/Release/berth_sys.node ] && [ native/build/Release/berth_sys.node -nt native/berth_sys.c ] \
  || npm run --silent build:native >/dev/null
npm run --silent build

for bin in berth berthd; do
  target="$PWD/bin/$bin"; [ -e "$target" ] || target="$target.js"
  [ "$(readlink -f /usr/local/bin/$bin 2>/dev/null)" = "$target" ] || ln -sf "$target" /usr/local/bin/$bin
done
echo "setup: done"
