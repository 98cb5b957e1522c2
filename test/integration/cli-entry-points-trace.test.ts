/**
 * What must hold: however the CLI is started — `bin/impact-in.js`, `npm run impact-in`, or the
 * container image's and compose's entrypoint command (read from Dockerfile and docker-compose.yml,
 * run here with /app/ as this checkout) — tracing configured by OTEL_* starts before the
 * instrumented clients load, so a command's HTTP calls are spans.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

/** Every `/app/…` entrypoint (JSON exec form) a file declares, as a command line in this checkout. */
function entrypoints(file: string, pattern: RegExp): string[][] {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  return [...text.matchAll(pattern)].map((m) => (JSON.parse(m[1]!) as string[]).map((arg) => arg.replace(/^\/app\//, ROOT)));
}

const commands: [string, string[]][] = [
  ['bin/impact-in.js', [process.execPath, `${ROOT}bin/impact-in.js`]],
  ['npm run impact-in', ['npm', 'run', '--silent', 'impact-in', '--']],
  ...entrypoints('Dockerfile', /^ENTRYPOINT (\[.*\])$/gm).map((cmd): [string, string[]] => ['Dockerfile ENTRYPOINT', cmd]),
  ...entrypoints('docker-compose.yml', /^\s+entrypoint: (\["node", "\/app\/.*\])$/gm).map((cmd): [string, string[]] => ['docker-compose entrypoint', cmd]),
];

test('every entry point of the CLI traces its HTTP calls', async () => {
  // The image's entrypoint and compose's CLI service are among them.
  expect(commands.map(([name]) => name)).toEqual(expect.arrayContaining(['Dockerfile ENTRYPOINT', 'docker-compose entrypoint']));
  const traced: Record<string, boolean> = {};
  for (const [name, [file, ...args]] of commands) {
    // `schemas check` reads the registry over HTTP (undici): with the console exporter each call is a span on stdout.
    const { stdout } = await run(file!, [...args, 'schemas', 'check'], {
      cwd: ROOT,
      env: { ...process.env, OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'impact-in-cli' },
      timeout: 60_000,
      maxBuffer: 16 << 20,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    traced[name] = stdout.includes("name: '@opentelemetry/instrumentation-undici'");
  }
  expect(traced).toEqual(Object.fromEntries(commands.map(([name]) => [name, true])));
}, 300_000);
