/**
 * Coverage of the service processes a scenario spawns. When the run collects coverage
 * (scripts/test.sh sets IMPACT_IN_CHILD_COVERAGE_DIR), a child gets NODE_V8_COVERAGE so Node
 * writes its raw V8 coverage there on exit; test/coverage-report/report.ts converts and merges it with
 * vitest's. A child killed with SIGKILL writes none (those scenarios are about the kill).
 */
export function childCoverageEnv(): Record<string, string> {
  const dir = process.env['IMPACT_IN_CHILD_COVERAGE_DIR'];
  return dir ? { NODE_V8_COVERAGE: dir } : {};
}
