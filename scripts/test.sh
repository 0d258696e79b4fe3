#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is needed (pnpm, dependencies,
# Debian's Chromium for the browser tests, Fabric built from source with Go), then
# typecheck, lint, unit and integration tests of every package, the Fabric suite
# against a real native network, and the browser end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh

if [ ! -x /usr/bin/chromium ]; then
  step "installing Chromium (Debian package) for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

step "typecheck, lint, unit and integration tests"
pnpm exec turbo run typecheck lint test build --output-logs=new-only --concurrency=1

step "Fabric suite: a real network (orderer + two organisations' peers) built and started natively"
pnpm run test:fabric

step "browser end-to-end tests (Playwright, Chromium)"
pnpm run test:e2e

step "the chat flow again in the browser, anchored on a native Fabric network"
pnpm run test:e2e:fabric chat.spec.ts
