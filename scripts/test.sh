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

step "lint and type-check (side by side: each keeps one core busy for about a minute)"
checks_dir="$(mktemp -d)"
npm run lint > "$checks_dir/lint.log" 2>&1 & lint_pid=$!
npm run typecheck > "$checks_dir/typecheck.log" 2>&1 & typecheck_pid=$!
lint_status=0; wait "$lint_pid" || lint_status=$?
typecheck_status=0; wait "$typecheck_pid" || typecheck_status=$?
printf -- '-- lint\n'; cat "$checks_dir/lint.log"
printf -- '-- type-check\n'; cat "$checks_dir/typecheck.log"
rm -rf "$checks_dir"
if [ "$lint_status" -ne 0 ] || [ "$typecheck_status" -ne 0 ]; then
  echo "lint exited $lint_status, type-check exited $typecheck_status" >&2
  exit 1
fi

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
