#!/usr/bin/env bash
# Everything the lab and the tests need, idempotent: Debian packages
# (scripts/install-system.sh), npm dependencies (npm ci, only when
# package-lock.json changed since the last install) and the TypeScript build
# (incremental). A second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system.sh

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "npm dependencies: installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "npm dependencies: up to date"
fi

echo "build: tsc -b"
npx tsc -b packages/cli packages/suites packages/bench
