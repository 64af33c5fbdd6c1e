#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, lints, then runs every test:
# unit tests first, then the integration tests that start real etcd, Patroni
# and PostgreSQL (and the browser tests in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx biome check packages scripts
node scripts/run-tests.mjs all
