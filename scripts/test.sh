#!/usr/bin/env bash
# The whole test suite on a fresh machine: dependencies and Node 24, static checks, the local
# stack (Kafka, PostgreSQL, Redis, schema registry) and the tests' tools, then unit and integration
# tests in one vitest run.
source "$(dirname "$0")/lib.sh"
ensure_deps
echo "== node $(node --version); typecheck and lint"
npm run --silent typecheck
npm run --silent lint
echo "== local stack"
bash deploy/local/stack.sh up
# Test-only tools (Confluent's Python client for the interop scenario), from Debian when missing.
bash deploy/local/stack.sh tools
stack_env
# Schema contracts against the stack's registry (which keeps what earlier runs pushed): check
# first, so an incompatible change fails here naming the subject and field; then push, so the
# next run checks against this one.
echo "== schema contracts"
node src/cli/main.ts schemas check
node src/cli/main.ts schemas push
# schemathesis from PyPI, for test/integration/admin-api-schemathesis.test.ts (it fuzzes the live
# admin API from its OpenAPI document). A venv under .cache/, created once; python3-venv from
# Debian when the interpreter lacks ensurepip.
echo "== schemathesis"
if [[ ! -x .cache/schemathesis/bin/schemathesis ]]; then
  python3 -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv; }
  rm -rf .cache/schemathesis
  python3 -m venv .cache/schemathesis
  .cache/schemathesis/bin/pip install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
# Headless Chromium from Debian, for the operator page's browser test
# (test/integration/operator-page-browser.test.ts, driven by the npm package playwright-core).
echo "== chromium"
if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
echo "== tests"
mkdir -p .stack/reports
status=0
vitest run --reporter=default --reporter=json --outputFile.json=.stack/reports/vitest.json "$@" || status=$?
if [[ -f .stack/reports/vitest.json ]]; then
  node -e '
    const r = require(process.argv[1]);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  ' "$REPO_ROOT/.stack/reports/vitest.json"
fi
exit $status
