#!/usr/bin/env bash
# Sets everything up, then runs the linter, the formatter check and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npm run --silent lint
npm run --silent format:check
npm test
