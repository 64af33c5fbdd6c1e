#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, runs the linter, then every
# test: unit tests first, then the integration tests that start real etcd,
# Patroni and PostgreSQL, and the browser tests in headless Chromium.
# Fails when the linter or any test fails; the last line totals the tests.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
status=0
echo "lint: biome check"
npx biome check packages scripts || status=1
echo "lint: the browser UI's JSDoc types (tsc -p packages/web/ui)"
npx tsc -p packages/web/ui || status=1
echo "dependencies: scripts/check-deps.mjs"
node scripts/check-deps.mjs || status=1
echo "fixed waits in tests: scripts/check-waits.mjs"
node scripts/check-waits.mjs || status=1
node scripts/run-tests.mjs all || status=1
exit $status
