#!/usr/bin/env bash
# `npm run lab`: installs what is missing, builds, and brings the whole
# reference deployment up on this machine (`pharos lab up`). Extra arguments
# go to `pharos lab up` (e.g. npm run lab -- --dir /tmp/mylab).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node packages/cli/bin/pharos.js lab up "$@"
