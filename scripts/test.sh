#!/usr/bin/env bash
# Every check latch has, in the order that fails fastest: what CI runs (.ci/run) and what a
# developer runs before pushing. Works on a fresh machine: it installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
if [ "${CI:-}" = "true" ] || [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi

step "chromium (browser tests)"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: install Debian's package (sudo apt-get install -y chromium), then rerun." >&2
    exit 1
  fi
fi
/usr/bin/chromium --version

step "build"
npm run build

step "lint"
npm run lint

step "type-check"
npm run typecheck

step "package checks"
# publint and attw on the packed tarball, then the browser and Edge bundle checks, on the build above.
npm run check:package

step "docs checks"
# The configuration reference matches the TSDoc it is generated from, and every TypeScript block
# in docs/ compiles against the built package.
npm run check:docs

mkdir -p .test-results
rm -f .test-results/*.json
status=0

step "unit and integration tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results/unit.json || status=$?

step "browser tests (next build + next start + Chromium)"
npx vitest run -c e2e/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.test-results/e2e.json || status=$?

step "summary"
node scripts/summarize-tests.mjs .test-results/unit.json .test-results/e2e.json || status=$?
exit "$status"
