#!/usr/bin/env bash
# Sets everything up, starts berthd if none runs, makes busybox:latest from the
# host's busybox-static binary, and runs a first container.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
berth version >/dev/null  # starts the default daemon when none answers
if ! berth image inspect busybox:latest >/dev/null 2>&1; then
  scripts/make-busybox-rootfs.sh | berth import - busybox:latest >/dev/null
fi
berth images busybox
berth run --rm busybox echo hello
