#!/usr/bin/env bash
# `npm run bench`: installs what is missing and builds (scripts/setup.sh),
# builds the benchmark package, then measures on this machine and writes
# bench/results/<YYYY-MM-DD>-<host>.{md,json} (packages/bench/src/run.ts).
# Extra arguments go to the harness (e.g. npm run bench -- --quick,
# --only failover,ingest). Every section with shortened windows (--minutes 3,
# --sim-steps 500,1000,2000 --sim-step-minutes 1.5, three switchovers) took
# 61 minutes on 2026-12-08; the defaults (10-minute windows, steps to 5,000)
# take well over an hour.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "build: tsc -b packages/bench"
npx tsc -b packages/bench
exec node --enable-source-maps packages/bench/dist/run.js "$@"
