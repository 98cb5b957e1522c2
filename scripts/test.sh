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
# Toxiproxy, for the network-fault scenarios and the chaos run: Shopify's server built once with
# `go install` (Go >= 1.23, on PATH) into the per-machine tools cache ($IMPACT_TOOLS_CACHE), so a
# fresh clone reuses it (test/integration/helpers/toxiproxy-process.ts finds it there).
TOXIPROXY_DIR="$IMPACT_TOOLS_CACHE/toxiproxy-v2.12.0"
if [[ ! -x $TOXIPROXY_DIR/server ]]; then
  echo "== toxiproxy v2.12.0 (go install, once per machine)"
  command -v go >/dev/null && go version | grep -Eq 'go1\.(2[3-9]|[3-9][0-9])' ||
    { echo "impact-in: Go >= 1.23 is needed on PATH to build toxiproxy (found: $(go version 2>/dev/null || echo none))" >&2; exit 1; }
  t0=$SECONDS
  GOBIN="$TOXIPROXY_DIR" CGO_ENABLED=0 go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0
  echo "toxiproxy build: $((SECONDS - t0)) s"
fi
# Schema contracts against the stack's registry (which keeps what earlier runs pushed): check
# first, so an incompatible change fails here naming the subject and field; then push, so the
# next run checks against this one.
echo "== schema contracts"
node src/cli/main.ts schemas check
node src/cli/main.ts schemas push
# Deploy files are code (issue 15): the compose file resolves, the Helm chart lints, renders and
# validates against the Kubernetes and CRD schemas, and the container image builds for the
# container-image-roles scenario below (IMPACT_IMAGE). Each installs its own tools when missing
# (podman-compose and kubernetes-validate from PyPI in a venv, Helm from the Go module proxy,
# podman/runc/debootstrap from Debian) and prints how long it took.
echo "== compose file"
t0=$SECONDS; bash deploy/compose/check.sh; echo "compose check: $((SECONDS - t0)) s"
echo "== helm chart"
t0=$SECONDS; bash deploy/helm/validate.sh; echo "helm chart check: $((SECONDS - t0)) s"
echo "== container image"
t0=$SECONDS; IMPACT_IMAGE="$(bash deploy/image/build.sh localhost/impact-in:test)"; export IMPACT_IMAGE
echo "image build: $((SECONDS - t0)) s"
# Jaeger v2 for the trace scenario (test/integration/one-trace-per-event.test.ts): built once from the
# Go module proxy (deploy/local/jaeger/go.mod) and cached per machine, so the test finds it ready.
echo "== jaeger (built once, cached)"
bash deploy/local/jaeger/build.sh >/dev/null
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
rm -f .stack/reports/vitest.json .stack/reports/vitest-clock-ahead.json
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
# The unit suite again with the clock a year ahead (libfaketime): a test that fixes "now" but
# builds data from the real clock passes on the day it is written and fails some day after.
echo "== unit tests with the clock moved a year ahead (faketime +365d)"
faketime -f +365d vitest run --project unit --reporter=dot --reporter=json --outputFile.json=.stack/reports/vitest-clock-ahead.json || status=$?
# --- coverage report and gate (issue 17): merged figure, HTML in .stack/reports/coverage/, and a
# failure when lines of src/ changed against the base are covered below 85 % (the base:
# COVERAGE_BASE, else the merge base with origin/main or main, else HEAD~1; test/coverage-report/changed-lines.ts).
if [[ ${COVERAGE:-1} != 0 ]]; then
  node --disable-warning=ExperimentalWarning test/coverage-report/report.ts --vitest .stack/reports/coverage/vitest/coverage-final.json \
    --children "$IMPACT_IN_CHILD_COVERAGE_DIR" --out .stack/reports/coverage --threshold 85 || status=$?
fi
# --- end coverage report and gate
REPO_ROOT="$REPO_ROOT" node -e '
  const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) { failed += 1; console.log(`missing report ${file}`); continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests;
    // Name each failure last, where a log that keeps only its tail still shows it.
    for (const suite of r.testResults ?? []) {
      const where = suite.name.replace(process.env.REPO_ROOT + "/", "");
      if (suite.status === "failed" && !(suite.assertionResults ?? []).some((t) => t.status === "failed")) {
        console.log(`FAILED ${where}: ${String(suite.message ?? "").split("\n")[0].slice(0, 300)}`);
      }
      for (const t of suite.assertionResults ?? []) {
        if (t.status !== "failed") continue;
        const why = String((t.failureMessages ?? [])[0] ?? "").split("\n").slice(0, 3).join(" | ");
        console.log(`FAILED ${where} > ${t.fullName}: ${why.slice(0, 400)}`);
      }
    }
  }
  console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$REPO_ROOT/.stack/reports/vitest.json" "$REPO_ROOT/.stack/reports/vitest-clock-ahead.json"
exit $status
