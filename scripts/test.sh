#!/usr/bin/env bash
# The whole test suite on a fresh machine: dependencies and Node 24, static checks, the local
# stack (Kafka, PostgreSQL, Redis, schema registry) and the tests' tools, then unit and integration
# tests in one vitest run.
source "$(dirname "$0")/lib.sh"
ensure_deps
echo "== node $(node --version); typecheck and lint"
npm run --silent typecheck
npm run --silent lint
# Alert rules: promtool (Debian's prometheus package, installed when missing) checks the rules and
# runs their unit tests — each alert fires on its bad series and stays quiet on the good one.
echo "== alert rules (promtool)"
bash deploy/prometheus/check.sh
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
# Jaeger v2 for the trace scenario (test/integration/one-trace-per-event.test.ts): built once from the
# Go module proxy (deploy/local/jaeger/go.mod) and cached in .cache/, so the test finds it ready.
echo "== jaeger (built once, cached)"
bash deploy/local/jaeger/build.sh >/dev/null
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
