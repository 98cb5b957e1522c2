// typescript-eslint over src, test and bench. Project rules: no global fetch in src — every
// outbound call goes through the undici dispatcher that holds timeouts and pooling — and each
// vendor package is imported only in its adapter folder (or by the wiring that composes them).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Vendor packages that live behind a port of ours. */
const VENDORS = ['kafkajs', '@kafkajs/confluent-schema-registry', 'kysely', 'pg', 'ioredis', 'undici', 'opossum', 'prom-client', '@opentelemetry', 'pino', 'avsc'];

/**
 * Where each vendor package may be imported, as [files, packages allowed there]. A later entry
 * replaces an earlier one for the files it matches, so a narrower folder lists all it allows.
 */
const ADAPTERS = [
  [['src/kafka/kafkajs/**'], ['kafkajs']],
  [['src/schemas/**', 'src/codec/avro/**'], ['avsc']],
  [['src/schemas/confluent/**'], ['avsc', '@kafkajs/confluent-schema-registry', 'undici']],
  [['src/breaker/**'], ['opossum']],
  [['src/idempotency/redis/**', 'src/ratelimit/redis-*.ts'], ['ioredis']],
  [['src/db/**', 'src/outbox/**'], ['kysely', 'pg']],
  // Repositories: SQL through kysely over the pool src/db opens.
  [['src/deliveries/**', 'src/jobs/delivery-jobs.ts', 'src/tenants/**', 'src/tokens/postgres/**', 'src/replay/replay-*.ts', 'src/admin/deliveries-query.ts'], ['kysely']],
  [['src/observability/**'], ['prom-client', '@opentelemetry', 'pino']],
  [['src/observability/collectors/outbox-backlog.ts'], ['prom-client', '@opentelemetry', 'pino', 'kysely']],
  [['src/http/**', 'src/connectors/**', 'src/simulators/**', 'src/admin/platform-status.ts', 'src/admin/routes.ts'], ['undici']],
  // A replay's check reads the idempotency keys and delivery rows of what it would re-send.
  [['src/replay/verify.ts'], ['ioredis', 'kysely']],
];

function vendorImports(allowed) {
  const patterns = VENDORS.filter((name) => !allowed.includes(name)).map((name) => ({
    // Anchored: a relative import of our own folder named after the package is not the package.
    regex: `^${name.replace('/', '\\/')}(/.*)?$`,
    message: `${name} is imported only in its adapter folder (eslint.config.js ADAPTERS); use the port it implements.`,
  }));
  return ['error', { patterns }];
}

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', '.cache/', '.tools/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use the shared undici dispatcher (src/http).' }],
      'no-console': 'error',
      'no-restricted-imports': vendorImports([]),
    },
  },
  ...ADAPTERS.map(([files, allowed]) => ({ files, rules: { 'no-restricted-imports': vendorImports(allowed) } })),
  {
    // The wiring: composes adapters into processes, so it may name any of them.
    files: ['src/service/**', 'src/operator/**', 'src/cli/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The operator page runs in the browser: its fetch is the page's own, to the admin API.
    files: ['src/admin/page/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
    rules: { 'no-restricted-globals': 'off' },
  },
);
