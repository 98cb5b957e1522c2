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
echo "== tests"
mkdir -p .stack/reports
status=0
# --- coverage (issue 17): vitest's V8 coverage of the unit, integration and contract tests, plus the
# raw V8 coverage of the service processes scenarios spawn (test/coverage-report/child-coverage.ts).
# COVERAGE=0 turns it off (e.g. when running a subset of files).
coverage_args=()
if [[ ${COVERAGE:-1} != 0 ]]; then
  rm -rf .stack/reports/coverage .stack/coverage-children
  mkdir -p .stack/coverage-children
  export IMPACT_IN_CHILD_COVERAGE_DIR="$REPO_ROOT/.stack/coverage-children"
  coverage_args=(--coverage.enabled)
fi
# --- end coverage
vitest run --reporter=default --reporter=json --outputFile.json=.stack/reports/vitest.json "${coverage_args[@]}" "$@" || status=$?
# --- coverage report and gate (issue 17): merged figure, HTML in .stack/reports/coverage/, and a
# failure when lines of src/ changed against the base are covered below 85 % (the base:
# COVERAGE_BASE, else the merge base with origin/main or main, else HEAD~1; test/coverage-report/changed-lines.ts).
if [[ ${COVERAGE:-1} != 0 ]]; then
  node --disable-warning=ExperimentalWarning test/coverage-report/report.ts --vitest .stack/reports/coverage/vitest/coverage-final.json \
    --children "$IMPACT_IN_CHILD_COVERAGE_DIR" --out .stack/reports/coverage --threshold 85 || status=$?
fi
# --- end coverage report and gate
if [[ -f .stack/reports/vitest.json ]]; then
  node -e '
    const r = require(process.argv[1]);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  ' "$REPO_ROOT/.stack/reports/vitest.json"
fi
exit $status
