import { defineConfig } from 'vitest/config';

// Two projects: unit tests (fakes allowed, no services) and integration scenarios (real Kafka,
// PostgreSQL, Redis and simulators over sockets; each file owns its topics, groups and database).
export default defineConfig({
  test: {
    // Off unless asked (`--coverage.enabled`, as scripts/test.sh does); test/coverage-report/report.ts
    // merges this with the service processes' coverage and applies the changed-lines gate.
    coverage: { provider: 'v8', include: ['src/**/*.ts'], reporter: ['json'], reportOnFailure: true, reportsDirectory: '.stack/reports/coverage/vitest' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/integration/setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Two cores: scenario files spawn service processes; run them one file at a time so a
          // scenario's timing never depends on what another file is doing.
          fileParallelism: false,
        },
      },
      {
        // Pact contracts (contracts/pacts/): consumer tests of the connectors write them, provider
        // tests verify them against the simulators over real HTTP.
        // PACT_DO_NOT_TRACK: Pact's core would otherwise report usage over the network.
        test: { name: 'contract', include: ['test/contract/**/*.test.ts'], environment: 'node', testTimeout: 60_000, env: { PACT_DO_NOT_TRACK: 'true' } },
      },
    ],
  },
});
