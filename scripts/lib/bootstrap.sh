# Sourced by start.sh and test.sh: makes sure the pinned pnpm and the workspace's
# dependencies are installed. Needs only Node 20 and npm to begin with.
set -euo pipefail
PNPM_VERSION="12.4.2"
export npm_config_nodedir="${npm_config_nodedir:-/usr}" # node-gyp must not download headers
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  step "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit
fi

step "installing dependencies (pnpm install)"
if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
