#!/usr/bin/env bash
# Quick start: installs what is needed, builds the web app, starts Cairn on its
# embedded defaults (PostgreSQL from npm, embedded ledger) and prints the URL.
# Extra arguments go to `cairn start` (see --help), e.g. --web-port 8080.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh

step "building the web app"
pnpm exec turbo run build --filter=@cairn/web --output-logs=errors-only

step "starting Cairn"
exec node --import tsx apps/cli/src/index.ts start "$@"
